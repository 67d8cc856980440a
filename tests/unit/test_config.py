from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.config import HarnessConfig, load_config
from harness.errors import ConfigError


def test_defaults_carry_the_seed_slas() -> None:
    config = HarnessConfig()
    assert config.sla.success_rate_min == 0.95
    assert config.sla.cold_start_max_seconds == 60
    assert config.sla.session_creation_p95_max_seconds == 5
    assert config.sla.cleanup_max_seconds == 120
    assert config.target.test_prefix == "TEST_"


def test_file_then_env_override(tmp_path: Path) -> None:
    file = tmp_path / "h.toml"
    file.write_text('[sla]\ncold_start_max_seconds = 30\n[target]\nendpoint = "http://x:1"\n')
    config = load_config(
        file,
        environ={
            "HARNESS__SLA__COLD_START_MAX_SECONDS": "12.5",
            "HARNESS__REFERENCE_TARGET__FAULTS": '["no_recovery"]',
            "UNRELATED": "1",
        },
    )
    assert config.sla.cold_start_max_seconds == 12.5
    assert config.target.endpoint == "http://x:1"
    assert config.reference_target.faults == ["no_recovery"]


def test_env_overrides_name_unknown_sections_and_keep_digit_strings() -> None:
    with pytest.raises(ConfigError, match="slaa: Extra inputs are not permitted"):
        load_config(environ={"HARNESS__SLAA__COLD_START_MAX_SECONDS": "1"})
    config = load_config(
        environ={
            "HARNESS__DEPLOY__ACCOUNT": "123456789012",
            "HARNESS__GROUPS__LOAD__PARALLEL": "true",
            "HARNESS__SCENARIOS__COLD-START__PARAMS": '{"users": 3}',
        }
    )
    assert config.deploy.account == "123456789012"
    assert config.group("load").parallel is True
    assert config.scenario("cold-start").params == {"users": 3}


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(environ={}) == HarnessConfig()


def test_json_config_from_env_is_used_in_lambda() -> None:
    config = load_config(environ={"HARNESS_CONFIG_JSON": '{"target": {"name": "prod"}}'})
    assert config.target.name == "prod"


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[sla]\ncold_start_max_seconds = -1\n", "sla.cold_start_max_seconds"),
        ("[sla]\ncold_start_max = 1\n", "sla.cold_start_max"),
        ('[reference_target]\nfaults = ["melt"]\n', "reference_target.faults"),
        ('[target]\ntest_prefix = ""\n', "target.test_prefix"),
        ('[target]\ntest_prefix = "T"\n', "target.test_prefix"),
        ('[target]\nendpoint = "edit.example.com"\n', "target.endpoint"),
        ('[target]\nendpoint = "https://exa mple.com"\n', "target.endpoint"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, toml: str, named: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(file, environ={})
    assert named in str(caught.value)
    assert str(file) in str(caught.value)


def test_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[sla\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, environ={})


def test_local_endpoints_are_recognised() -> None:
    from harness.aws.clients import is_loopback

    assert is_loopback("http://127.0.0.1:5000") and is_loopback("http://localhost:1")
    assert is_loopback("http://[::1]:8080")
    assert not is_loopback("https://dynamodb.eu-west-1.amazonaws.com")
    assert not is_loopback("http://10.0.0.5:5000")


def test_pool_members_must_be_separate_copies_of_the_stack() -> None:
    shared_table = {
        "target": {"name": "pool"},
        "targets": [
            {"name": "a", "endpoint": "http://a", "ecs_service": "edit-a"},
            {"name": "b", "endpoint": "http://b", "ecs_service": "edit-b"},
        ],
    }
    with pytest.raises(ValidationError, match="'a' and 'b' share their sessions table"):
        HarnessConfig.model_validate(shared_table)
    with pytest.raises(ValidationError, match="names must be unique"):
        HarnessConfig.model_validate(
            {"target": {"name": "pool"}, "targets": [{"name": "a"}, {"name": "a"}]}
        )
    with pytest.raises(ValidationError, match="not both"):
        HarnessConfig.model_validate(
            {
                "target": {"name": "pool"},
                "targets": [{"name": "a", "ecs_service": "x", "sessions_table": "y"}],
                "reference_target": {"pool_size": 2},
            }
        )
    # Cleanup and the sweep delete only by [target] test_prefix: a member cannot have its own.
    with pytest.raises(ValidationError, match=r"remove it from \[\[targets\]\]"):
        HarnessConfig.model_validate(
            {"target": {"name": "pool"}, "targets": [{"name": "a", "test_prefix": "MINE_"}]}
        )
    # The pool's runs are stored and compared under the pool's own name.
    with pytest.raises(ValidationError, match=r"name the pool in \[target\]"):
        HarnessConfig.model_validate({"targets": [{"name": "a"}]})
