"""Every command-line input a person can get wrong ends in one sentence and exit code 2."""

import pytest

from chiso766.cli import main


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["standin", "--fault", "teapot"], "teapot"),
        (["standin", "--fault", "503=1.5"], "from 0 to 1, not 1.5"),
        (["standin", "--today", "2026-13-01"], "2026-13-01"),
        (
            ["capture", "--province", "31", "--period", "2026-01", "--min-interval", "-1"],
            "--min-interval",
        ),
        (["appendix", "--province", "31", "--period", "2026-01", "--as-of", "31/01/2026"], "31/01"),
    ],
)
def test_a_bad_option_is_one_sentence_and_exit_2(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CHISO766_DATA_DIR", str(tmp_path))

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_output_folder_that_cannot_be_written_is_named(capsys, tmp_path, settings):
    from chiso766 import jobs
    from chiso766.periods import Period
    from chiso766.provinces import find_province

    jobs.capture(settings, find_province("31"), Period.parse("2026-01"))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    code = main(
        ["appendix", "--province", "31", "--period", "2026-01",
         "--db", settings.database_url, "--out", str(blocker / "out")]
    )  # fmt: skip

    err = capsys.readouterr().err
    assert code == 2
    assert "a-file" in err and "--out" in err
    assert len(err.strip().splitlines()) == 1
