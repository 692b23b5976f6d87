// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Enishi decision record
/// @notice The final tally of each of the community's proposals and a digest of all its
/// ballots, written once: anyone can read them back and check that the result announced was
/// not changed later. The digest is the keccak256 of the ballots' CSV export; the tally counts
/// the votes for each option, in the proposal's order of options.
contract DecisionRecord is AccessControl {
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");

    struct Decision {
        uint256[] tally;
        bytes32 ballotsDigest;
        uint256 recordedAt; // block number; 0 while not recorded
    }

    mapping(uint256 proposalId => Decision) private _decisions;

    /// @dev A result is written once and cannot be changed afterwards.
    error DecisionAlreadyRecorded(uint256 proposalId);

    /// @notice Emitted once per proposal, when its result is recorded.
    event DecisionRecorded(uint256 indexed proposalId, uint256[] tally, bytes32 ballotsDigest);

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Records the result of `proposalId`: the votes for each option and the digest of
    /// its ballots. Reverts if that proposal's result is on record already.
    function record(uint256 proposalId, uint256[] calldata tally, bytes32 ballotsDigest)
        external
        onlyRole(RECORDER_ROLE)
    {
        Decision storage decision = _decisions[proposalId];
        if (decision.recordedAt != 0) revert DecisionAlreadyRecorded(proposalId);
        decision.tally = tally;
        decision.ballotsDigest = ballotsDigest;
        decision.recordedAt = block.number;
        emit DecisionRecorded(proposalId, tally, ballotsDigest);
    }

    /// @notice The recorded result of `proposalId`; `recordedAt` (a block number) is 0 and the
    /// tally empty while none is recorded.
    function decisionOf(uint256 proposalId)
        external
        view
        returns (uint256[] memory tally, bytes32 ballotsDigest, uint256 recordedAt)
    {
        Decision storage decision = _decisions[proposalId];
        return (decision.tally, decision.ballotsDigest, decision.recordedAt);
    }
}
