// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Enishi membership card (会員証)
/// @notice One soulbound card per address, issued and revoked by the DAO. The card's token id is
/// the holder's address, so anyone can find a member's card without an index.
contract MembershipCard is ERC721, AccessControl {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    /// @dev An address holds at most one card.
    error MembershipCardAlreadyIssued(address member);
    /// @dev A card belongs to its member; it cannot be moved.
    error MembershipCardSoulbound(uint256 tokenId);

    /// @dev Where wallets find a card's metadata: the base, then the token id in decimal.
    string private _metadataBase;

    constructor(string memory name_, string memory symbol_, string memory metadataBase_, address admin)
        ERC721(name_, symbol_)
    {
        _metadataBase = metadataBase_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice The token id of `member`'s card (whether or not it is issued).
    function cardId(address member) public pure returns (uint256) {
        return uint256(uint160(member));
    }

    /// @notice Issues a membership card to `member`.
    function issue(address member) external onlyRole(ISSUER_ROLE) returns (uint256 tokenId) {
        tokenId = cardId(member);
        if (_ownerOf(tokenId) != address(0)) revert MembershipCardAlreadyIssued(member);
        _mint(member, tokenId);
    }

    /// @notice Revokes (burns) `member`'s card.
    function revoke(address member) external onlyRole(ISSUER_ROLE) {
        _burn(cardId(member));
    }

    /// @inheritdoc ERC721
    function _baseURI() internal view override returns (string memory) {
        return _metadataBase;
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert MembershipCardSoulbound(tokenId);
        return super._update(to, tokenId, auth);
    }
}
