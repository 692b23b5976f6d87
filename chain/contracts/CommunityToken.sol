// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Enishi community token
/// @notice Rewards for participation, minted by the DAO's minters and burned when a member
/// redeems a local perk. Whole tokens only: a perk costs "50", never "50.000000000000000000".
contract CommunityToken is ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant REDEEMER_ROLE = keccak256("REDEEMER_ROLE");

    /// @notice Emitted when tokens are burned for a perk redemption; `ref` names the redemption.
    event Redeemed(address indexed member, uint256 amount, bytes32 indexed ref);

    /// @dev A redemption is burned once: a replayed or resent call cannot burn twice.
    error RedemptionAlreadyBurned(bytes32 ref);

    /// @notice Whether the redemption `ref` has been burned.
    mapping(bytes32 => bool) public redeemed;

    constructor(string memory name_, string memory symbol_, address admin) ERC20(name_, symbol_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @notice Mints `amount` tokens to `to`.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Mints the same reward to each of `members`, in one call.
    function reward(address[] calldata members, uint256 amountEach) external onlyRole(MINTER_ROLE) {
        for (uint256 i = 0; i < members.length; ++i) {
            _mint(members[i], amountEach);
        }
    }

    /// @notice Burns `amount` of `member`'s tokens for the perk redemption `ref`.
    /// @dev Custodial members hold no gas, so the DAO's redeemer burns on their behalf.
    function redeem(address member, uint256 amount, bytes32 ref) external onlyRole(REDEEMER_ROLE) {
        if (redeemed[ref]) revert RedemptionAlreadyBurned(ref);
        redeemed[ref] = true;
        _burn(member, amount);
        emit Redeemed(member, amount, ref);
    }
}
