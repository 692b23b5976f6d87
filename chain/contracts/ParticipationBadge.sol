// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {CommunityToken} from "./CommunityToken.sol";

/// @title Enishi participation badge (proof of participation)
/// @notice One soulbound badge per member and event; the token id is the event's id. Awarding a
/// badge also pays the event's reward, and only to members who did not hold the badge yet, so a
/// replayed batch can never pay twice.
contract ParticipationBadge is ERC1155, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice The token in which rewards are paid; this contract must hold its MINTER_ROLE.
    CommunityToken public immutable rewardToken;

    /// @dev Badges record who took part; moving one would falsify that record.
    error ParticipationBadgeSoulbound();

    /// @notice Emitted once per award call with how many members were newly awarded.
    event BadgesAwarded(uint256 indexed eventId, uint256 newlyAwarded, uint256 rewardEach);

    constructor(string memory uri_, address admin, CommunityToken rewardToken_) ERC1155(uri_) {
        rewardToken = rewardToken_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Awards the badge of `eventId` to each of `members` and pays each newly awarded
    /// member `rewardEach` tokens. Members who already hold the badge are skipped.
    function award(uint256 eventId, address[] calldata members, uint256 rewardEach)
        external
        onlyRole(MINTER_ROLE)
    {
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = eventId;
        values[0] = 1;
        address[] memory awarded = new address[](members.length);
        uint256 count = 0;
        for (uint256 i = 0; i < members.length; ++i) {
            address member = members[i];
            if (balanceOf(member, eventId) != 0) continue;
            // _update skips the ERC1155Receiver call: badges go to members' own addresses and
            // a receiver hook would only add a cold account access per member.
            _update(address(0), member, ids, values);
            awarded[count++] = member;
        }
        assembly ("memory-safe") {
            mstore(awarded, count)
        }
        if (rewardEach != 0 && count != 0) rewardToken.reward(awarded, rewardEach);
        emit BadgesAwarded(eventId, count, rewardEach);
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _update(address from, address to, uint256[] memory ids, uint256[] memory values)
        internal
        override
    {
        if (from != address(0) && to != address(0)) revert ParticipationBadgeSoulbound();
        super._update(from, to, ids, values);
    }
}
