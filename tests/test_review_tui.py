"""The review loop for real: `grondmotief code` in a pseudo-terminal at 80×24 with NO_COLOR."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

from review_pty import CTRL_C, DOWN, ESC, LEFT, Tui, copy_study, read_codings


def test_first_screen_fits_80x24_and_shows_header_context_and_keys(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    screen = tui.wait_for("q quit")
    lines = tui.lines()
    assert len(lines) <= 24
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert lines[0].lstrip().startswith("r1¶2 of 8 “Wandelclub” · 0/7 done")  # id, place, title, progress
    assert "volunteers-only" in lines[0] and "sport" in lines[0] and "anna" in lines[0]
    assert "I: Hoe gaat het met de subsidie?" in screen  # the previous turn as context
    assert "R: Elk jaar weer die subsidieaanvraag." in screen
    for key in ("a accept", "r reject", "c add code", "m memo", "u undo", "? help"):
        assert key in screen
    assert "0/7 done" in screen and "7 to do" in screen
    assert "\x1b[?1049h" in tui.raw  # drawn on the alternate screen
    assert tui.quit() == 0
    assert "\x1b[?1049l" in tui.raw and "\x1b[?25h" in tui.raw  # …and given back, cursor visible


def test_add_through_the_picker_narrow_the_span_and_write_a_memo(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    screen = tui.press("c", expect="Add code:")
    assert "Esc cancel" in screen
    screen = tui.type("subs")
    assert "subsidies" in screen and "permits" not in screen
    tui.press("\r", expect="Added subsidies")
    # A Dutch label finds its code too: "schaar" → scarcity (Schaarste).
    tui.press("c")
    screen = tui.type("schaar")
    assert screen.split("Add code:")[1].split("\n")[1].lstrip("> ").split()[0] == "scarcity"
    tui.press(ESC)
    tui.press("s", expect="Quote sentences of subsidies (1-3)")
    assert "(2) Dan de verantwoording" in tui.screen()
    tui.type("2-3")
    tui.press("\r", expect="Quote of subsidies: sentences 2-3")
    tui.press("m", expect="Memo on subsidies")
    tui.type("jaarlijkse cyclus")
    tui.press("\r", expect="memo saved on subsidies")
    assert tui.quit() == 0
    [d] = read_codings(study, "anna")
    text = "Elk jaar weer die subsidieaanvraag. Dan de verantwoording in het voorjaar. En in november horen of we door mogen."
    assert d["segment"] == "r1¶2" and d["code"] == "subsidies" and d["decision"] == "accepted"
    assert d["source"] == "manual" and d["score"] is None
    assert (
        text[d["span"][0] : d["span"][1]]
        == "Dan de verantwoording in het voorjaar. En in november horen of we door mogen."
    )
    assert d["memo"] == "jaarlijkse cyclus"


def test_memo_before_any_decision_waits_for_the_next_one(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("m", expect="Memo on this passage")
    tui.type("twijfel")
    tui.press("\r", expect="memo pending")
    assert read_codings(study, "anna") == []
    tui.press("n", expect="Press again to drop it")  # leaving would lose the memo: asks first
    tui.press("c")
    tui.type("verg")
    tui.press("\r", expect="Added permits")
    tui.quit()
    [d] = read_codings(study, "anna")
    assert (d["code"], d["memo"]) == ("permits", "twijfel")


def test_undo_restores_the_file_step_by_step(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("r", expect="Rejected subsidies")
    assert [d["decision"] for d in read_codings(study, "anna")] == ["rejected"]
    tui.press("n")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")
    assert len(read_codings(study, "anna")) == 2
    tui.press("u", expect="Undone: added permits")
    assert [(d["code"], d["decision"]) for d in read_codings(study, "anna")] == [("subsidies", "rejected")]
    screen = tui.press("u", expect="Undone: rejected subsidies")
    assert screen.lstrip().startswith("r1¶2")  # undo goes back to the passage it changes
    assert [(d["code"], d["decision"]) for d in read_codings(study, "anna")] == [("subsidies", "accepted")]
    tui.press("u", expect="Undone: added subsidies")
    assert read_codings(study, "anna") == []
    tui.press("u", expect="Nothing to undo")
    assert tui.quit() == 0


def test_quit_and_resume_at_the_first_passage_without_a_decision(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("n", expect="r1¶4")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")
    assert tui.quit() == 0
    assert "2 of 7 passages done" in tui.raw and "resumes at r1¶6" in tui.raw
    again = Tui(study)
    screen = again.wait_for("q quit")
    assert screen.lstrip().startswith("r1¶6") and "2/7 done" in screen
    screen = again.press("p", expect="r1¶4")
    assert "✓ permits" in screen  # earlier decisions are shown when going back
    assert again.quit() == 0


def test_ctrl_c_keeps_every_confirmed_decision_and_restores_the_terminal(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("n"), tui.press("c"), tui.type("verg")
    tui.press("\r", expect="Added permits")  # the last confirmed decision
    tui.press("c")
    tui.type("lie")  # a picker left open: Ctrl-C there cancels the picker, not the session
    tui.press(CTRL_C, expect="Cancelled.")
    tui.child.send(CTRL_C)  # …and outside a prompt it quits
    assert tui.wait_exit() == 130
    assert "Interrupted; every decision confirmed so far is on disk." in tui.raw
    assert "\x1b[?1049l" in tui.raw
    assert [(d["segment"], d["code"]) for d in read_codings(study, "anna")] == [
        ("r1¶2", "subsidies"),
        ("r1¶4", "permits"),
    ]
    assert not list((study / "codings").glob(".*.tmp"))


def test_a_closed_terminal_sighup_loses_nothing(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    os.kill(tui.child.pid, signal.SIGHUP)
    assert tui.wait_exit() == 129
    assert [(d["segment"], d["code"]) for d in read_codings(study, "anna")] == [("r1¶2", "subsidies")]
    # Closing the terminal itself (the pty master) ends the session the same way.
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")
    tui.child.close(force=True)
    assert not tui.child.isalive()
    # SIGTERM (a shutdown, `kill`) is handled the same way: exit 143, decisions kept.
    tui = Tui(study)
    tui.wait_for("q quit")
    os.kill(tui.child.pid, signal.SIGTERM)
    assert tui.wait_exit() == 143
    assert "\x1b[?1049l" in tui.raw
    assert {(d["segment"], d["code"]) for d in read_codings(study, "anna")} == {
        ("r1¶2", "subsidies"),
        ("r1¶4", "permits"),
    }


def test_resize_redraws_for_the_new_size(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    n = tui.frames
    tui.child.setwinsize(30, 100)
    tui.wait_frames(n + 1)
    lines = tui.lines()
    assert len(lines) == 30
    assert max(len(line) for line in lines) == 100  # the header and rules span the new width
    tui.child.setwinsize(24, 80)
    tui.wait_frames(n + 2)
    assert max(len(line) for line in tui.lines()) == 80
    assert tui.quit() == 0


def test_help_screen(tmp_path: Path) -> None:
    tui = Tui(copy_study(tmp_path))
    tui.wait_for("q quit")
    screen = tui.press("?", expect="any other key: back")
    assert "more below" in screen  # 24 rows do not hold it all: it says so
    assert "undo your last decision" in screen and "quote only sentences" in screen
    screen = tui.press("\x1b[6~")  # PgDn scrolls
    assert "go to a passage" in screen and "↑/PgUp scroll up" in screen
    tui.press("x", expect="q quit")  # any other key returns, without acting
    assert tui.quit() == 0


def test_two_coders_at_the_same_time_each_keep_their_own_file(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    anna, ben = Tui(study, coder="anna"), Tui(study, coder="ben")
    anna.wait_for("q quit"), ben.wait_for("q quit")
    for _ in range(4):
        anna.press("c"), anna.type("subs"), anna.press("\r", expect="Added"), anna.press("n")
        ben.press("c"), ben.type("verg"), ben.press("\r", expect="Added"), ben.press("n")
    assert anna.quit() == 0 and ben.quit() == 0
    a, b = read_codings(study, "anna"), read_codings(study, "ben")
    assert [(d["segment"], d["code"]) for d in a] == [
        ("r1¶2", "subsidies"),
        ("r1¶4", "subsidies"),
        ("r1¶6", "subsidies"),
        ("r1¶8", "subsidies"),
    ]
    assert [(d["segment"], d["code"]) for d in b] == [
        ("r1¶2", "permits"),
        ("r1¶4", "permits"),
        ("r1¶6", "permits"),
        ("r1¶8", "permits"),
    ]
    assert {d["coder"] for d in a} == {"anna"} and {d["coder"] for d in b} == {"ben"}


def test_one_coder_in_two_terminals_second_is_refused_and_read_only_browses(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    one = Tui(study)
    one.wait_for("q quit")
    one.press("c"), one.type("subs"), one.press("\r", expect="Added subsidies")
    two = Tui(study)  # the same coder again: refused, with where the first one runs and what to do
    assert two.wait_exit() == 1
    said = " ".join(two.raw.split())
    assert "anna is already coding this study in another terminal" in said
    assert f"process {one.child.pid}" in said and "--read-only" in said
    assert "Traceback" not in two.raw
    browse = Tui(study, "--read-only")
    screen = browse.wait_for("q quit")
    assert "(read-only)" in screen.split("\n")[0] and screen.lstrip().startswith("r1¶4")
    screen = browse.press("p", expect="r1¶2")
    assert "✓ subsidies" in screen  # sees what the other terminal recorded
    screen = browse.press("a", expect="Read-only")
    browse.press("u", expect="Read-only")
    one.press("n"), one.press("c"), one.type("verg"), one.press("\r", expect="Added permits")
    screen = browse.press("n", expect="r1¶4")
    assert "✓ permits" in screen  # the other terminal's later write shows when moving
    assert browse.quit() == 0
    assert "Read-only: nothing recorded" in browse.raw
    assert one.quit() == 0
    got = [(d["segment"], d["code"]) for d in read_codings(study, "anna")]
    assert got == [("r1¶2", "subsidies"), ("r1¶4", "permits")]
    again = Tui(study)  # the lock went with the first session
    again.wait_for("q quit")
    assert again.quit() == 0


def test_filters_and_nothing_applies(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--transcript", "r2")
    screen = tui.wait_for("q quit")
    assert screen.lstrip().startswith("r2¶2") and "0/3 done" in screen
    screen = tui.press("x", expect="r2¶4")  # nothing applies: recorded, next passage
    assert "1/3 done" in screen and "r2¶2: nothing applies. u undoes." in screen
    tui.quit()
    assert "1 of 3 passages done" in tui.raw
    [d] = read_codings(study, "anna")  # a decision in codings/, not a mark in the cache
    assert (d["segment"], d["code"], d["decision"], d["source"]) == ("r2¶2", "_none", "accepted", "manual")
    assert d["span"] is None and d["text_sha"]
    shutil.rmtree(study / ".grondmotief")  # derived caches only: deleting them loses no judgement
    again = Tui(study, "--transcript", "r2")
    assert again.wait_for("q quit").lstrip().startswith("r2¶4")  # resume passes over it
    screen = again.press("p", expect="r2¶2")
    assert "✗ nothing applies" in screen and "1/3 done" in screen
    again.press("u", expect="Nothing to undo")
    again.quit()
    uncoded = Tui(study, "--uncoded")
    screen = uncoded.wait_for("q quit")
    assert "0/6 done" in screen  # r2¶2 is left out
    uncoded.quit()


def test_a_code_replaces_nothing_applies_and_undo_brings_it_back(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--transcript", "r2")
    tui.wait_for("q quit")
    tui.press("m", expect="Memo on this passage")
    tui.type("niets")
    tui.press("\r", expect="memo pending")
    tui.press("x", expect="r2¶4")  # the pending memo goes with "nothing applies"
    assert [(d["code"], d["memo"]) for d in read_codings(study, "anna")] == [("_none", "niets")]
    tui.press("p", expect="nothing applies")
    tui.press("c"), tui.type("verg")
    screen = tui.press("\r", expect="Added permits (manual); 'nothing applies' removed")
    assert "✓ permits" in screen and "✗ nothing applies" not in screen
    assert [(d["code"], d["decision"]) for d in read_codings(study, "anna")] == [("permits", "accepted")]
    tui.press("u", expect="replaces 'nothing applies'")
    assert [(d["code"], d["memo"]) for d in read_codings(study, "anna")] == [("_none", "niets")]
    assert "✗ nothing applies" in tui.screen()
    assert tui.quit() == 0


def test_old_cache_marks_move_into_the_codings_file(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    legacy = study / ".grondmotief" / "review" / "anna.reviewed.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('{"reviewed": ["r2¶2", "r9¶1", "r2¶40"]}', encoding="utf-8")
    tui = Tui(study, "--transcript", "r2")
    screen = tui.wait_for("q quit")
    assert "Recorded 1 'nothing applies' mark(s)" in screen and screen.lstrip().startswith("r2¶4")
    assert tui.quit() == 0
    assert [(d["segment"], d["code"]) for d in read_codings(study, "anna")] == [("r2¶2", "_none")]
    assert not legacy.exists()


def test_key_that_does_nothing_says_so_and_down_moves(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r")
    tui.press("c"), tui.type("verg"), tui.press("\r")
    screen = tui.press("Z", expect="does nothing here")
    assert "? shows the keys" in screen
    tui.press("k")
    screen = tui.press(DOWN)
    cursor_line = next(line for line in screen.split("\n") if line.startswith(">"))
    assert "permits" in cursor_line
    tui.press("r", expect="Rejected permits")
    tui.quit()
    assert {(d["code"], d["decision"]) for d in read_codings(study, "anna")} == {
        ("subsidies", "accepted"),
        ("permits", "rejected"),
    }


def test_accept_reject_and_accept_all_suggestions(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, suggestions=True)
    screen = tui.wait_for("keyword")
    line = next(row for row in screen.split("\n") if row.startswith(">"))
    assert "subsidies" in line and "Subsidies" in line and "subsidieaanvraag" in line  # code, label, evidence
    assert "evidence: subsidieaanvraag (subsidie*)" in screen  # each word with the rule it matched
    tui.press("a", expect="Accepted subsidies")
    tui.press("n", expect="permits")
    tui.press("r", expect="Rejected permits")
    screen = tui.press("n", expect="abundance")
    assert "love" in screen
    tui.press("A", expect="Accepted 2 suggestion(s)")
    assert tui.quit() == 0
    got = {(d["segment"], d["code"]): d for d in read_codings(study, "anna")}
    assert set(got) == {("r1¶2", "subsidies"), ("r1¶4", "permits"), ("r1¶6", "abundance"), ("r1¶6", "love")}
    assert got[("r1¶4", "permits")]["decision"] == "rejected"
    for d in got.values():
        assert d["source"] == "suggest:keyword" and 0 < d["score"] <= 1 and d["text_sha"]
    # Resuming: the rejected suggestion shows as a decision, not as a new suggestion to decide.
    again = Tui(study, "--transcript", "r1", suggestions=True)
    again.wait_for("q quit")
    screen = again.press("p", "p", expect="r1¶4")
    assert "✗ permits" in screen
    again.quit()


def test_dumb_terminal_brackets_matched_words_and_sends_no_escape_codes(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, env={"TERM": "dumb"}, suggestions=True)
    tui.wait_for("[subsidieaanvraag]")
    assert "[verantwoording]" in tui.screen()
    tui.child.send("a")
    tui.wait_for("Accepted subsidies")
    assert tui.quit() == 0
    assert "\x1b" not in tui.raw
    assert [d["code"] for d in read_codings(study, "anna")] == ["subsidies"]


def test_a_theme_filter_queues_only_passages_where_that_theme_is_suggested(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--theme", "permits", suggestions=True)
    screen = tui.wait_for("q quit")
    assert screen.lstrip().startswith("r1¶4") and "0/1 done" in screen
    assert "permits" in screen and "subsidies" not in screen.split("─" * 80)[-1]  # other codes' suggestions hidden
    tui.press("a", expect="Accepted permits")
    assert tui.quit() == 0
    assert [(d["segment"], d["code"]) for d in read_codings(study, "anna")] == [("r1¶4", "permits")]


def test_a_write_that_fails_is_reported_and_the_session_goes_on(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    path = study / "codings" / "anna.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + "{not json}\n", encoding="utf-8")  # someone breaks the file
    tui.press("c"), tui.type("verg")
    screen = tui.press("\r", expect="Not saved: codings/anna.jsonl has problems")
    assert "grondmotief check" in screen and "✓ permits" not in screen
    tui.press("n", expect="r1¶4")  # still working
    assert tui.quit() == 0
    assert path.read_text(encoding="utf-8").endswith("{not json}\n")  # left for `check --fix`, not rewritten


def test_header_names_bare_numbers_and_cut_text_ends_in_an_ellipsis(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    r1 = study / "interviews" / "r1.md"
    r1.write_text(
        r1.read_text(encoding="utf-8").replace("  sector: sport\n", "  sector: sport\n  municipalities: 1\n"),
        encoding="utf-8",
    )
    book = study / "codebooks" / "review.yaml"
    book.write_text(
        book.read_text(encoding="utf-8").replace("label: Subsidies\n", "label: Subsidies en prestatieafspraken\n"),
        encoding="utf-8",
    )
    tui = Tui(study, suggestions=True, cols=120)
    tui.wait_for("keyword")
    assert "volunteers-only · sport · municipalities 1" in tui.lines()[0]  # not a bare "· 1 ·"
    tui.child.setwinsize(24, 80)
    for _ in range(200):  # a frame drawn for the new size (suggestions may redraw meanwhile)
        tui.pump()
        if max(len(line) for line in tui.lines()) == 80 and "keyword" in tui.screen():
            break
    screen = tui.screen()
    line = next(row for row in screen.split("\n") if row.startswith(">"))
    assert "Subsidies en presta… " in line  # the label, visibly shortened
    assert len(line) == 80 and line.endswith("…")  # the evidence runs off the edge: said so
    assert "evidence: subsidieaanvraag (subsidie*), verantwoording" in screen  # in full below
    # The picker ranks ids and labels above keywords: "over" is Overvloed, not the keyword "overleg*".
    tui.press("c")
    screen = tui.type("over")
    rows = [r.lstrip(">✓✗ ").split()[0] for r in screen.split("Add code: over")[1].split("\n")[1:4]]
    assert rows == ["abundance", "scarcity-abundance", "partnership"]
    tui.press(ESC)
    assert tui.quit() == 0


def test_after_a_the_message_says_where_the_cursor_went(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--transcript", "r1", suggestions=True)
    tui.wait_for("keyword")
    tui.press("n", "n", expect="abundance")
    screen = tui.press("a", expect="Accepted abundance; cursor now on love. u undoes.")
    assert next(row for row in screen.split("\n") if row.startswith(">")).split()[1] == "love"
    screen = tui.press("a", expect="Accepted love. u undoes.")  # nothing open after it: the cursor stays
    assert "cursor now" not in screen
    assert "moves to the next open suggestion" in " ".join(tui.press("?", expect="key: back").split())
    tui.press("x")
    assert tui.quit() == 0


def test_a_failing_engine_is_explained_once(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    shutil.rmtree(study / ".grondmotief", ignore_errors=True)  # a clean clone has no cache yet
    settings = study / "grondmotief.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "nlp:\n  pipeline: not-installed\n", encoding="utf-8")
    tui = Tui(study, suggestions=True)
    screen = tui.wait_for("Suggestions unavailable: ")
    assert "'not-installed' is not installed" in screen and "c adds a code, x marks 'nothing applies'." in screen
    assert "No suggestions" not in screen and screen.lower().count("unavailable") == 1
    tui.press("c"), tui.type("subs")
    screen = tui.press("\r", expect="Added subsidies")
    assert "unavailable" not in screen  # the message line has the news; the error waits its turn
    screen = tui.press("n", expect="r1¶4")
    assert screen.lower().count("unavailable") == 1
    assert tui.quit() == 0


# Issue 16: the codebook on screen, context, prompts, redo, orientation ------------------------------


def test_d_shows_the_codebook_entry_in_the_loop_and_in_the_picker(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    screen = " ".join(tui.press("d", expect="definition:").split())
    assert "definition: Gemeentelijke subsidie en de voorwaarden die eraan hangen." in screen
    assert "include: Aanvragen, verantwoorden en de jaarlijkse cyclus daarvan." in screen
    assert "exclude: Vergunningen en verzekeringen (dat is permits)." in screen
    assert "example: “Elk jaar weer die subsidieaanvraag.”" in screen
    assert screen.startswith("r1¶2")  # still on the passage
    assert "definition:" not in tui.press("d")  # d again hides it
    # In the picker, Ctrl-D shows the highlighted match's entry, and follows the highlight.
    tui.press("c"), tui.type("schaar")
    screen = tui.press("\x04", expect="definition: Redeneren vanuit schaarse middelen.")
    assert "scarcity-abundance ▸ scarcity" in screen
    screen = " ".join(tui.press(DOWN, expect="definition: Schaarse middelen tegenover vrij gegeven tijd.").split())
    assert "children: scarcity, abundance" in screen
    tui.press(ESC)
    assert tui.quit() == 0


def test_picker_labels_use_the_width_there_is(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    book = study / "codebooks" / "review.yaml"
    book.write_text(
        book.read_text(encoding="utf-8").replace(
            "label: Partnerschap en netwerken\n", "label: Tussen formele en informele partnerschappen\n"
        ),
        encoding="utf-8",
    )
    tui = Tui(study, cols=100)
    tui.wait_for("q quit")
    tui.press("c")
    screen = tui.type("partn")
    assert "Tussen formele en informele partnerschappen" in screen  # whole at 100 columns
    tui.press(ESC)
    assert tui.quit() == 0


def test_v_shows_the_previous_answer_and_the_next_question_dimmed(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, env={"NO_COLOR": "", "TERM": "xterm-256color"})
    tui.wait_for("q quit")
    tui.press("n", expect="r1¶4")
    screen = tui.screen()
    assert "I: En de vergunningen?" in screen and "Elk jaar weer" not in screen
    screen = tui.press("v", expect="More context")
    assert "R: Elk jaar weer die subsidieaanvraag." in screen  # the respondent's previous turn
    assert "I: Waarom doen de vrijwilligers dit?" in screen  # the question after
    frame = tui.raw[tui.raw.rfind("\x1b[H") :]
    assert "\x1b[2mR: Elk jaar" in frame or "\x1b[2m" in frame.split("Elk jaar")[0][-20:]  # dimmed
    screen = tui.press("v", expect="the turn before only")
    assert "Elk jaar weer" not in screen
    assert tui.quit() == 0


def test_ctrl_c_cancels_each_text_field_not_the_session(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    for key, prompt in (("c", "Add code:"), ("m", "Memo on"), ("s", "Quote sentences"), ("g", "Go to"), ("f", "Find")):
        tui.press(key, expect=prompt)
        tui.type("1")
        screen = tui.press(CTRL_C, expect="Cancelled.")
        assert prompt not in screen and tui.child.isalive()
    assert [(d["code"], d["memo"], d["span"]) for d in read_codings(study, "anna")] == [("subsidies", "", None)]
    assert tui.quit() == 0


def test_memo_edited_within_the_text_shown_under_its_code(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("m", expect="Memo on subsidies")
    tui.type("jaarlijks cyclus")
    tui.press(*([LEFT] * 7))  # back to just after "jaarlijks"
    tui.type("e")
    tui.press("\x1b[H")  # Home
    tui.type("een ")
    tui.press("\x1b[F")  # End
    tui.type("!")
    screen = tui.press("\r", expect="memo saved on subsidies")
    assert "memo: een jaarlijkse cyclus!" in screen  # under its code
    assert read_codings(study, "anna")[0]["memo"] == "een jaarlijkse cyclus!"
    assert tui.quit() == 0


def test_capital_m_writes_the_memo_in_the_editor(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "eerste regel\\ntweede regel\\n" > "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    tui = Tui(study, env={"EDITOR": str(editor), "VISUAL": ""})
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.child.send("M")
    screen = tui.wait_for("memo saved on subsidies")
    assert "memo: eerste regel …" in screen  # first line, and a sign there is more
    assert read_codings(study, "anna")[0]["memo"] == "eerste regel\ntweede regel"
    assert tui.quit() == 0


def test_redo_brings_back_what_undo_took_back_memo_included(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("m"), tui.type("twijfel"), tui.press("\r", expect="memo pending")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    assert [(d["code"], d["memo"]) for d in read_codings(study, "anna")] == [("subsidies", "twijfel")]
    tui.press("u", expect="Undone: added subsidies. U redoes.")
    assert read_codings(study, "anna") == []
    screen = tui.press("U", expect="Redone: added subsidies. u undoes.")
    assert "memo: twijfel" in screen
    assert [(d["code"], d["memo"]) for d in read_codings(study, "anna")] == [("subsidies", "twijfel")]
    tui.press("U", expect="Nothing to redo")
    tui.press("u", expect="Undone")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")  # a new decision: redo is gone
    tui.press("U", expect="Nothing to redo")
    assert tui.quit() == 0


def test_undo_does_not_take_back_a_decision_changed_elsewhere(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    path = study / "codings" / "anna.jsonl"
    # Another tool (an import, `agree --reconcile`, a text editor) changes that decision meanwhile.
    path.write_text(path.read_text(encoding="utf-8").replace('"memo": ""', '"memo": "van elders"'), encoding="utf-8")
    screen = tui.press("u", expect="Not undone: r1¶2 / subsidies was changed since")
    assert "what is on disk stays" in " ".join(screen.split())
    assert read_codings(study, "anna")[0]["memo"] == "van elders"
    tui.press("u", expect="Nothing to undo")
    assert tui.quit() == 0


def test_x_names_what_it_rejects_and_a_moves_to_the_next_open_suggestion_wrapping(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--transcript", "r1", suggestions=True)
    tui.wait_for("keyword")
    tui.press("n", "n", expect="abundance")
    tui.press(DOWN)  # on love, the second of two open suggestions
    screen = tui.press("a", expect="Accepted love; cursor now on abundance")  # wrapped to the top
    assert next(row for row in screen.split("\n") if row.startswith(">")).split()[1] == "scarcity-abundance"
    tui.press("u", expect="Undone")
    screen = tui.press("x", expect="r1¶8")
    assert "r1¶6: nothing applies; rejected: abundance, love. u undoes." in " ".join(screen.split())
    assert tui.quit() == 0
    got = {(d["code"], d["decision"]) for d in read_codings(study, "anna") if d["segment"] == "r1¶6"}
    assert got == {("abundance", "rejected"), ("love", "rejected"), ("_none", "accepted")}


def test_restart_says_where_it_resumes_and_why(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("n", "n", expect="r1¶6")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    assert tui.quit() == 0
    again = Tui(study)
    screen = " ".join(again.wait_for("q quit").split())
    assert "Resuming at r1¶2, the first passage without a decision; you stopped at r1¶6." in screen
    assert again.quit() == 0


def test_first_start_without_a_coder_asks_and_remembers(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    settings = study / "grondmotief.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("coder: tester\n", ""), encoding="utf-8")
    tui = Tui(study, coder=None, env={"USER": "guest"})
    tui.child.expect("Your coder name")
    assert "Who is coding?" in tui.child.before
    tui.child.sendline("Bad name!")
    tui.child.expect("use letters, digits")
    tui.child.sendline("cees")
    screen = tui.wait_for("q quit")
    assert "cees" in screen.split("\n")[0]
    assert tui.quit() == 0
    assert (study / ".grondmotief" / "coder").read_text(encoding="utf-8") == "cees\n"
    again = Tui(study, coder=None, env={"USER": "guest"})  # remembered: no question
    screen = again.wait_for("q quit")
    assert "cees" in screen.split("\n")[0] and "Your coder name" not in again.raw
    assert again.quit() == 0


def test_at_60x24_help_says_more_below_f1_opens_it_and_evidence_wraps(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, suggestions=True, cols=60)
    tui.wait_for("evidence:")
    lines = tui.lines()
    assert all(len(line) <= 60 for line in lines)
    evidence = " ".join(lines[i] for i, line in enumerate(lines) if line.startswith("evidence:") for i in (i, i + 1))
    assert "verantwoording" in evidence and "…" not in evidence.split("evidence:")[1][:70]
    screen = tui.press("\x1bOP", expect="grondmotief code: keys")  # F1
    assert "more below" in screen
    while "more below" in tui.screen():
        tui.press("\x1b[6~")
    assert "this help" in tui.screen() and "↑/PgUp scroll up" in tui.screen()
    tui.press("q", expect="a accept")  # back to the passage, q did not quit from help
    assert tui.child.isalive()
    assert tui.quit() == 0


def test_pgdn_scrolls_a_page_of_a_long_passage(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    r2 = study / "interviews" / "r2.md"
    long = " ".join(f"Zin nummer {i} gaat over de vereniging." for i in range(1, 80))
    text = r2.read_text(encoding="utf-8")
    first_r = text.index("\nR: ") + 4
    r2.write_text(text[:first_r] + long + " " + text[first_r:], encoding="utf-8")
    tui = Tui(study, "--transcript", "r2")
    screen = tui.wait_for("below: PgDn")
    assert "Zin nummer 1 " in screen and screen.split("↕ ")[1].startswith("0 line(s) above")
    screen = tui.press("\x1b[6~")
    above = int(screen.split("↕ ")[1].split()[0])
    assert above >= 8  # a page, not five lines
    assert "Zin nummer 1 " not in screen
    assert tui.quit() == 0


def test_g_jumps_to_a_passage_typed_three_ways(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study)
    tui.wait_for("q quit")
    for typed, where in (("r2¶4", "r2¶4"), ("r1:6", "r1¶6"), ("r2 2", "r2¶2"), ("6", "r2¶6")):
        tui.press("g", expect="Go to passage")
        tui.type(typed)
        screen = tui.press("\r")
        assert screen.lstrip().startswith(f"{where} of"), (typed, screen)
    tui.press("g"), tui.type("r9 1")
    screen = tui.press("\r", expect="no interview 'r9'")
    assert "have: r1, r2" in screen
    tui.press("g"), tui.type("r1 3")
    tui.press("\r", expect="r1¶3 is not in this session's passages")
    tui.press("g"), tui.type("r1 40")
    tui.press("\r", expect="r1 has paragraphs ¶1 to ¶8, not ¶40")
    tui.press("?", expect="grondmotief code: keys")
    screen = tui.press("\x1b[6~", expect="go to a passage")  # both in the help
    assert "find the next passage containing words" in screen
    tui.press("x")
    assert tui.quit() == 0


def test_f_finds_the_next_passage_with_a_word_in_any_form_and_enter_repeats(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    r2 = study / "interviews" / "r2.md"
    r2.write_text(
        r2.read_text(encoding="utf-8").replace("Nee hoor, verder niet.", "Nee hoor, alleen die vergunningen."),
        encoding="utf-8",
    )
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("f", expect="Find words")
    tui.type("vergunning")  # the singular finds "vergunning" and the plural "vergunningen"
    screen = tui.press("\r", expect="Found 'vergunning'")
    assert screen.lstrip().startswith("r1¶4 of")
    tui.press("f", expect="Enter: 'vergunning' again")
    screen = tui.press("\r", expect="Found 'vergunning'")
    assert screen.lstrip().startswith("r2¶6 of")
    tui.press("f")
    screen = tui.press("\r", expect="(from the top)")
    assert screen.lstrip().startswith("r1¶4 of")
    tui.press("f"), tui.type("aanvraag")  # a compound: subsidieaanvraag
    screen = tui.press("\r", expect="Found 'aanvraag'")
    assert screen.lstrip().startswith("r1¶2 of")
    tui.press("f"), tui.type("vrije tijd spontaan")  # every word, in any order
    tui.press("\r", expect="No passage here contains 'vrije tijd spontaan'")
    tui.press("f"), tui.type("subsidie*")
    tui.press("\r", expect="Only this passage contains 'subsidie*'")
    assert tui.quit() == 0


def test_several_sentence_ranges_are_one_decision_and_pgdn_scrolls_while_typing(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    r2 = study / "interviews" / "r2.md"
    long = " ".join(f"Zin nummer {i} gaat over de vereniging." for i in range(1, 60))
    r2.write_text(r2.read_text(encoding="utf-8").replace("Nee hoor, verder niet.", long), encoding="utf-8")
    tui = Tui(study, "--transcript", "r2")
    tui.wait_for("q quit")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")
    tui.press("k")  # back on subsidies
    tui.press("s", expect="Quote sentences of subsidies (1-2), e.g. 2-3,7")
    tui.type("1,2")  # both sentences: the whole passage, as it was
    tui.press("\r", expect="Already decided that way.")
    tui.press("g"), tui.type("r2 6"), tui.press("\r")
    tui.press("c"), tui.type("subs"), tui.press("\r", expect="Added subsidies")
    tui.press("c"), tui.type("lie"), tui.press("\r", expect="Added love")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")
    screen = tui.press("k", "k")
    assert next(row for row in screen.split("\n") if row.startswith(">")).split()[1] == "subsidies"
    screen = tui.press("s", expect="(1-59)")
    assert "(50)" not in screen
    screen = tui.press("\x1b[6~", "\x1b[6~")  # PgDn while the prompt is open
    assert "Quote sentences of subsidies" in screen and "line(s) above" in screen
    assert "(1)" not in screen
    tui.type("2-3,50")
    screen = tui.press("\r", expect="Quote of subsidies: sentences 2-3,50")
    row = next(row for row in screen.split("\n") if "subsidies" in row and "Subsidies" in row)
    assert "§2-3,50" in row
    assert tui.quit() == 0
    got = {(d["segment"], d["code"]): d for d in read_codings(study, "anna")}
    assert got[("r2¶2", "subsidies")]["span"] is None and "spans" not in got[("r2¶2", "subsidies")]
    d = got[("r2¶6", "subsidies")]
    assert [long[a:b] for a, b in d["spans"]] == [
        "Zin nummer 2 gaat over de vereniging. Zin nummer 3 gaat over de vereniging.",
        "Zin nummer 50 gaat over de vereniging.",
    ]
    assert d["span"] == [d["spans"][0][0], d["spans"][-1][1]]


def test_after_a_quote_range_the_cursor_moves_to_the_next_open_suggestion(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    tui = Tui(study, "--transcript", "r1", suggestions=True)
    tui.wait_for("keyword")
    tui.press("n", "n", expect="abundance")
    tui.press("s", expect="Quote sentences of abundance (1-2)")
    tui.type("2")
    screen = tui.press("\r", expect="Quote of abundance: sentences 2; cursor now on love. u undoes.")
    assert next(row for row in screen.split("\n") if row.startswith(">")).split()[1] == "love"
    assert tui.quit() == 0
    [d] = read_codings(study, "anna")
    assert (d["code"], d["decision"], d["source"]) == ("abundance", "accepted", "suggest:keyword")


def test_c_with_an_unknown_name_creates_the_code_in_the_codebook_and_accepts_it(tmp_path: Path) -> None:
    study = copy_study(tmp_path)
    book = study / "codebooks" / "review.yaml"
    book.write_text("# Codebook of the review fixture: keep this comment\n" + book.read_text(encoding="utf-8"))
    before = book.read_text(encoding="utf-8")
    tui = Tui(study)
    tui.wait_for("q quit")
    tui.press("c"), tui.type("verg"), tui.press("\r", expect="Added permits")  # highlighted: a theme
    tui.press("c")
    screen = tui.type("eigen regie")
    assert "Enter creates it as a new code" in screen
    screen = tui.press("\r", expect="New code 'eigen-regie'")
    assert "label: eigen regie" in screen and "group: theme" in screen  # the highlighted code's group
    screen = tui.press("\t", expect="group: motive")
    tui.press("\t", expect="group: theme")
    screen = tui.press("\r", expect="Created eigen-regie in codebooks/review.yaml and added it")
    assert "✓ eigen-regie" in screen
    text = book.read_text(encoding="utf-8")
    assert text.startswith("# Codebook of the review fixture: keep this comment\n")
    assert text.index("id: eigen-regie") < text.index("id: love")  # after the last theme, before the motives
    assert text.replace(text[text.index("  - id: eigen-regie") : text.index("  - id: love")], "") == before
    # In vivo: sentences first, then c and a new name; the label is the quoted words.
    tui.press("n", expect="r1¶4")
    tui.press("s", expect="Sentences (1-3) for a code, then c")
    tui.type("3")
    tui.press("c", expect="Add code:")
    tui.type("penningmeester")
    screen = tui.press("\r", expect="New code 'penningmeester'")
    assert "label: Dat regelt onze penningmeester." in screen
    tui.press("\r", expect="Created penningmeester")
    assert tui.quit() == 0
    got = {(d["segment"], d["code"]): d for d in read_codings(study, "anna")}
    assert got[("r1¶2", "eigen-regie")]["source"] == "manual" and got[("r1¶2", "eigen-regie")]["span"] is None
    seg = (
        "Voor de wandeltocht hebben we een vergunning nodig. Met een verzekering erbij. Dat regelt onze penningmeester."
    )
    a, b = got[("r1¶4", "penningmeester")]["span"]
    assert seg[a:b] == "Dat regelt onze penningmeester."
    assert "label: Dat regelt onze penningmeester." in book.read_text(encoding="utf-8")
    from conftest import run_cli

    for args in (["check"], ["codebook", "lint"]):
        result = run_cli("--study", str(study), *args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
