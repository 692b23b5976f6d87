import json
import subprocess

from chain.artifacts import CONTRACT_NAMES, load_artifact, stale_sources

from ..support import NODE_MODULES, PROJECT_DIR, require_node_modules


def test_each_artifact_records_its_compiler_and_sources():
    for name in CONTRACT_NAMES:
        artifact = load_artifact(name)
        package = json.loads((PROJECT_DIR / "package.json").read_text())
        assert artifact["compiler"].startswith(f"solc {package['devDependencies']['solc']}+")
        assert f"contracts/{name}.sol" in artifact["sources"]
        assert artifact["bytecode"].startswith("0x60")


def test_our_sources_match_their_artifacts():
    for name in CONTRACT_NAMES:
        ours = [s for s in stale_sources(name, NODE_MODULES) if not s.startswith("@")]
        assert ours == [], f"{name}: run `make artifacts` (changed: {ours})"


def test_library_sources_match_their_artifacts():
    require_node_modules()
    for name in CONTRACT_NAMES:
        assert stale_sources(name, NODE_MODULES) == [], f"{name}: run `make artifacts`"


def test_a_fresh_compile_gives_the_committed_artifacts():
    require_node_modules()
    result = subprocess.run(
        ["node", "chain/compile.mjs", "--check"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_a_changed_source_is_detected(tmp_path, monkeypatch):
    import chain.artifacts as artifacts

    copy = tmp_path / "contracts"
    copy.mkdir()
    for source in (artifacts.CHAIN_DIR / "contracts").glob("*.sol"):
        (copy / source.name).write_text(source.read_text())
    (copy / "CommunityToken.sol").write_text(
        (copy / "CommunityToken.sol").read_text() + "\n// changed\n"
    )
    monkeypatch.setattr(artifacts, "CHAIN_DIR", tmp_path)
    stale = [s for s in stale_sources("CommunityToken", NODE_MODULES) if not s.startswith("@")]
    assert stale == ["contracts/CommunityToken.sol"]
