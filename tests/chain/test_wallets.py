import stat

from chain.wallets import Keyring, load_or_create_mnemonic

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
