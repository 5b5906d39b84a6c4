from pathlib import Path

import pytest

from retrieval.settings import SettingsError, load_settings


def test_defaults_need_no_file(tmp_path):
    s = load_settings(tmp_path / "absent.toml", env={})
    numbers = s.phone_numbers()
    assert "911" in numbers["emergency_number"] and "999" in numbers["emergency_number"] and "112" in numbers["emergency_number"]
    assert "988" in numbers["crisis_line"] and "116 123" in numbers["crisis_line"]
    assert s.k == 5 and s.log_feedback is False and s.log_questions is False
    assert s.corpus_dir == Path.cwd() / "corpus" and s.index_dir == Path.cwd() / "index"


def test_file_then_environment(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('country = "GB"\nk = 3\nallowed_origins = ["https://clinic.example"]\n', encoding="utf-8")
    s = load_settings(path, env={"CHATBOT_K": "7", "CHATBOT_CRISIS_LINE": "0800 123"})
    assert s.k == 7
    assert s.allowed_origins == ("https://clinic.example",)
    assert s.phone_numbers() == {
        "emergency_number": "999",
        "urgent_care_line": "your GP today, or NHS 111",
        "crisis_line": "0800 123",
    }


def test_comma_separated_origins_and_booleans_from_env(tmp_path):
    s = load_settings(tmp_path / "none.toml", env={"CHATBOT_ALLOWED_ORIGINS": "https://a.example, https://b.example", "CHATBOT_LOG_FEEDBACK": "yes"})
    assert s.allowed_origins == ("https://a.example", "https://b.example")
    assert s.log_feedback is True


def test_unknown_or_bad_settings_are_refused(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("emergency_nmber = '999'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="emergency_nmber"):
        load_settings(path, env={})
    with pytest.raises(SettingsError, match="'k'"):
        load_settings(tmp_path / "none.toml", env={"CHATBOT_K": "five"})
