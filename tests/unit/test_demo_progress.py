"""The demo goes only into databases that held nothing when it began, and an interrupted load is finished."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.demo_progress import DemoProgress


def test_databases_that_held_data_before_are_never_touched(tmp_path: Path) -> None:
    progress = DemoProgress(tmp_path / "demo.json")
    assert not progress.begin(lambda: False)
    assert not (tmp_path / "demo.json").exists()
    assert not progress.begin(lambda: False), "still not: the data was not the demo's"


def test_a_load_cut_off_after_a_step_goes_on_with_the_next_and_a_finished_one_is_not_begun_again(
    tmp_path: Path,
) -> None:
    progress = DemoProgress(tmp_path / "demo.json")
    assert progress.begin(lambda: True)
    progress.mark("history")
    restarted = DemoProgress(tmp_path / "demo.json")
    assert restarted.begin(lambda: False), "not empty any more, but the demo's own load is unfinished"
    assert restarted.done("history")
    assert not restarted.done("today")
    restarted.mark("today")
    restarted.mark("export")
    assert restarted.finished()
    assert not DemoProgress(tmp_path / "demo.json").begin(lambda: True)


def test_an_unknown_step_is_refused(tmp_path: Path) -> None:
    progress = DemoProgress(tmp_path / "demo.json")
    progress.begin(lambda: True)
    with pytest.raises(ValueError, match="unknown demo step"):
        progress.mark("holiday")
