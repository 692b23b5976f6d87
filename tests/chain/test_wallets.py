import stat

import pytest

from chain.wallets import Keyring, PublicKeyring, load_or_create_mnemonic, write_public_keyring

from ..conftest import TEST_MNEMONIC


def test_member_addresses_are_derived_the_same_way_every_time():
    one, two = Keyring(TEST_MNEMONIC), Keyring(TEST_MNEMONIC)
    assert one.member_address(5) == two.member_address(5)
    assert one.member_account(5).address == one.member_address(5)
    assert len({one.member_address(i) for i in range(20)} | {one.operator.address}) == 21


def test_another_master_secret_gives_other_addresses(tmp_path):
    other = Keyring(load_or_create_mnemonic(tmp_path / "secret.txt"))
    assert other.member_address(1) != Keyring(TEST_MNEMONIC).member_address(1)


def test_the_master_secret_is_created_once_and_private(tmp_path):
    path = tmp_path / "instance" / "secret.txt"
    first = load_or_create_mnemonic(path)
    assert len(first.split()) == 24
    assert load_or_create_mnemonic(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_operator_key_overrides_the_derived_one():
    key = "0x" + "11" * 32
    assert Keyring(TEST_MNEMONIC, operator_key=key).operator.key.hex().endswith("11" * 32)


# Member addresses of TEST_MNEMONIC as the keyring derived them before it had a public half
# (eth-account's private derivation): an instance's members keep theirs.
KNOWN_MEMBERS = {
    1: "0x40FBBE484b8Ee6139Af08446950B088e10b2306A",
    2: "0x2b382887D362cCae885a421C978c7e998D3c95a6",
    1000: "0x31DF5297Fc7cCdC9492d53519466279F7a6Fd9d4",
    2**31 - 1: "0xAcea0f22a3B921796A165E22b256Ed548ec612A3",
}


def test_the_public_keyring_derives_the_addresses_the_secret_derives(tmp_path):
    """BIP-32 public derivation from the members' extended public key gives, for every index,
    the address of the key that private derivation from the master secret gives."""
    for mnemonic in (TEST_MNEMONIC, load_or_create_mnemonic(tmp_path / "secret.txt")):
        keyring = Keyring(mnemonic)
        public = keyring.public()
        indices = [*range(0, 150), 4_096, 65_537, 10**6, 2**31 - 1]
        for index in indices:
            assert public.member_address(index) == keyring.member_account(index).address, index
    public = Keyring(TEST_MNEMONIC).public()
    assert {i: public.member_address(i) for i in KNOWN_MEMBERS} == KNOWN_MEMBERS
    assert public.operator_address == Keyring(TEST_MNEMONIC).operator.address


def test_the_public_keyring_holds_no_key_and_survives_its_file(tmp_path):
    keyring = Keyring(TEST_MNEMONIC, operator_key="0x" + "11" * 32)
    public = keyring.public()
    path = tmp_path / "instance" / "public-keyring.json"
    assert write_public_keyring(path, public) is True
    assert write_public_keyring(path, public) is False  # unchanged: not written again
    text = path.read_text()
    for secret in [keyring.operator.key.hex(), keyring.member_account(1).key.hex(), "junk"]:
        assert secret.removeprefix("0x") not in text
    again = PublicKeyring.from_json(text)
    assert again == public and again.operator_address == keyring.operator.address
    assert again.member_address(7) == keyring.member_account(7).address


def test_a_public_keyring_of_another_branch_or_a_bad_key_is_refused():
    text = Keyring(TEST_MNEMONIC).public().to_json()
    with pytest.raises(ValueError, match="members' keys must be at"):
        PublicKeyring.from_json(text.replace("1'/0", "2'/0"))
    with pytest.raises(ValueError):
        PublicKeyring.from_json(
            text.replace('"members_public_key": "0', '"members_public_key": "1')
        )
    with pytest.raises(ValueError, match="member index"):
        Keyring(TEST_MNEMONIC).public().member_address(2**31)
