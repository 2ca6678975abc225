"""Scene validation: one test per error kind, each asserting the exact line and column."""

from __future__ import annotations

import pytest

from engine.scene import SceneError, check_scene, load_scene
from tests.conftest import HEADER

AVATAR = """
[[entity]]
name = "host"
[entity.avatar]
style = "presenter"
"""


def only(diagnostics, fragment):
    """The one diagnostic whose message contains ``fragment``."""
    found = [d for d in diagnostics if fragment in d.message]
    assert len(found) == 1, [d.format() for d in diagnostics]
    return found[0]


def where(d):
    return d.line, d.col


def test_valid_scene_loads(project):
    doc = load_scene(project.scene(HEADER + AVATAR))
    assert doc.id == "test" and [e.name for e in doc.entities] == ["host"]


def test_toml_syntax_error(project):
    path = project.scene('[scene]\nid = "x"\ntitle = "unterminated\n')
    (d,) = check_scene(path)
    assert "TOML syntax error" in d.message and where(d) == (3, 22)


def test_not_utf8(project):
    path = project.root / "scenes" / "latin1.toml"
    path.write_bytes('[scene]\nid = "x"\ntitle = "caf\xe9"\n'.encode("latin-1"))
    (d,) = check_scene(path)
    assert "UTF-8" in d.message and d.line == 3


def test_missing_scene_table_and_required_field(project):
    diags = check_scene(project.scene('[[entity]]\nname = "a"\n'))
    assert where(only(diags, "missing the [scene] table")) == (1, 1)
    diags = check_scene(project.scene('[scene]\nid = "x"\n'))
    d = only(diags, "missing required field 'title'")
    assert where(d) == (1, 2) and "add title =" in d.hint


def test_unknown_component_with_did_you_mean(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.transfrom]\nposition = [0.0, 0.0, 0.0]\n')
    d = only(check_scene(path), "unknown component or field 'transfrom'")
    assert where(d) == (6, 2) and "did you mean 'transform'" in d.hint


def test_unknown_field_with_did_you_mean(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.camera]\nfov = 30.0\n')
    d = only(check_scene(path), "unknown field 'fov'")
    assert where(d) == (7, 1) and "fov_deg" in d.hint


def test_unknown_top_level_table(project):
    d = only(check_scene(project.scene(HEADER + '[[entities]]\nname = "a"\n')), "unknown top-level")
    assert where(d) == (4, 3) and "entity" in d.hint


def test_wrong_type(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.transform]\nposition = "up"\n')
    d = only(check_scene(path), "expected an array of 3 numbers")
    assert where(d) == (7, 12) and "position = [0.0, 0.0, 0.0]" in d.hint


def test_wrong_element_type_points_at_the_element(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.transform]\nposition = [0.0, "1", 0.0]\n')
    d = only(check_scene(path), "element 2 should be a number")
    assert where(d) == (7, 18)


def test_out_of_range(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.camera]\nfov_deg = 500\n')
    d = only(check_scene(path), "out of range")
    assert where(d) == (7, 11) and "at most 170" in d.message


def test_bad_choice(project):
    path = project.scene('[scene]\nid = "x"\ntitle = "t"\nlanguage = "fr"\n')
    d = only(check_scene(path), "unknown value 'fr'")
    assert where(d) == (4, 12) and "en, zh" in d.hint


def test_missing_entity_name(project):
    d = only(check_scene(project.scene(HEADER + '[[entity]]\ntags = ["a"]\n')), "missing required field 'name'")
    assert where(d) == (4, 3)


def test_duplicate_entity_names(project):
    d = only(check_scene(project.scene(HEADER + '[[entity]]\nname = "a"\n[[entity]]\nname = "a"\n')), "duplicate")
    assert where(d) == (7, 8)


def test_reference_to_missing_entity(project):
    path = project.scene(HEADER + AVATAR + '[[cue]]\nat = 1.0\ndo = "say"\nwho = "hots"\ntext = "hi"\n')
    d = only(check_scene(path), "no entity named 'hots'")
    assert where(d) == (12, 7) and "did you mean 'host'" in d.hint


def test_reference_to_entity_lacking_the_needed_component(project):
    path = project.scene(HEADER + '[[entity]]\nname = "box"\n'
                         '[[cue]]\nat = 1.0\ndo = "say"\nwho = "box"\ntext = "hi"\n')
    d = only(check_scene(path), "has no [entity.avatar]")
    assert where(d) == (9, 7)


def test_parent_cycle(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nparent = "b"\n[[entity]]\nname = "b"\nparent = "a"\n')
    diags = check_scene(path)
    cycles = [d for d in diags if "own ancestor" in d.message]
    assert [where(d) for d in cycles] == [(6, 10), (9, 10)]


def test_missing_prefab(project):
    project.write("scenes/prefabs/presenter.toml", '[avatar]\nstyle = "guide"\n')
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nprefab = "presentr"\n')
    d = only(check_scene(path), "prefab 'presentr' not found")
    assert where(d) == (6, 10) and "presenter" in d.hint


def test_prefab_errors_are_reported_in_the_prefab_file(project):
    project.write("scenes/prefabs/broken.toml", '[camera]\nfov_deg = "wide"\n')
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nprefab = "broken"\n')
    d = only(check_scene(path), "expected a number")
    assert d.file.endswith("prefabs/broken.toml") and where(d) == (2, 11)


def test_prefab_fields_are_overridable(project):
    project.write("scenes/prefabs/cam.toml", '[camera]\nfov_deg = 30.0\nnear = 0.2\n')
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nprefab = "cam"\n[entity.camera]\nfov_deg = 20.0\n')
    (entity,) = load_scene(path).entities
    assert entity.components["camera"] == {"fov_deg": 20.0, "near": 0.2}


def test_missing_asset(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.avatar]\nasset = "avatars/nobody.glb"\n')
    d = only(check_scene(path), "not found")
    assert where(d) == (7, 9) and "avatars/nobody.glb" in d.message


def test_asset_path_leaving_the_asset_root(project):
    (project.root / "secret.glb").write_bytes(b"glTF")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.avatar]\nasset = "../../etc/passwd.glb"\n'
                         '[[entity]]\nname = "b"\n[entity.avatar]\nasset = "../secret.glb"\n')
    diags = check_scene(path)
    leaving = [d for d in diags if "leaves assets/" in d.message]
    assert [where(d) for d in leaving] == [(7, 9), (11, 9)]


def test_absolute_asset_path(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.avatar]\nasset = "/etc/x.glb"\n')
    assert where(only(check_scene(path), "is absolute")) == (7, 9)


def test_asset_found_is_resolved(project):
    project.write("assets/avatars/me.glb", "x")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.avatar]\nasset = "avatars/me.glb"\n')
    (entity,) = load_scene(path).entities
    assert entity.components["avatar"]["asset"] == str(project.root / "assets/avatars/me.glb")


def test_wrong_asset_extension(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\n[entity.avatar]\nasset = "avatars/me.png"\n')
    assert where(only(check_scene(path), "wrong kind of file")) == (7, 9)


def test_missing_behaviour_script_and_bad_spec(project):
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nbehaviours = ["nope:Nope", "../x:Y"]\n')
    diags = check_scene(path)
    assert where(only(diags, "script for 'nope' not found")) == (6, 15)
    assert where(only(diags, "'../x:Y' is not valid")) == (6, 28)


def test_behaviour_class_missing(project):
    project.write("scripts/greeter.py", "from engine.scripting import Behaviour\n\nclass Greter(Behaviour):\n    pass\n")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nbehaviours = ["greeter:Greeter"]\n')
    d = only(check_scene(path), "has no class 'Greeter'")
    assert where(d) == (6, 15) and "Greter" in d.message


def test_behaviour_syntax_error_is_reported_in_the_script(project):
    project.write("scripts/greeter.py", "class Greeter:\n    def on_start(self)\n        pass\n")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nbehaviours = ["greeter:Greeter"]\n')
    d = only(check_scene(path), "syntax error")
    assert d.file.endswith("scripts/greeter.py") and d.line == 2


def test_validation_never_runs_code(project):
    marker = project.root / "ran.txt"
    project.write("scripts/evil.py", f"open({str(marker)!r}, 'w').write('ran')\nclass Evil:\n    pass\n")
    path = project.scene(HEADER + '[[entity]]\nname = "a"\nbehaviours = ["evil:Evil"]\n')
    assert check_scene(path) == []
    assert not marker.exists()


def test_unknown_action_and_trigger(project):
    path = project.scene(HEADER + AVATAR + '[[cue]]\nat = 1.0\ndo = "sey"\nwho = "host"\n'
                         '[[cue]]\non = "viewer_arived"\ndo = "say"\nwho = "host"\ntext = "x"\n')
    diags = check_scene(path)
    d = only(diags, "unknown value 'sey'")
    assert where(d) == (11, 6) and "did you mean 'say'" in d.hint
    d = only(diags, "unknown value 'viewer_arived'")
    assert where(d) == (14, 6) and "viewer_arrived" in d.hint
    assert not [x for x in diags if "unknown field 'who'" in x.message]  # no noise after a bad action


def test_cue_timing_mistakes(project):
    path = project.scene(HEADER + '[[cue]]\nat = 1.0\non = "scene_end"\ndo = "caption"\ntext = "x"\n'
                         '[[cue]]\ndo = "caption"\ntext = "y"\n')
    diags = check_scene(path)
    assert where(only(diags, "not both")) == (6, 1)
    assert where(only(diags, "needs 'at'")) == (9, 3)


def test_cue_missing_required_and_unknown_fields(project):
    path = project.scene(HEADER + AVATAR + '[[cue]]\nat = 1.0\ndo = "say"\nwho = "host"\ntxt = "hi"\n'
                         '[[cue]]\nat = 2.0\ndo = "emote"\nwho = "host"\n')
    diags = check_scene(path)
    assert where(only(diags, "needs text, audio or both")) == (9, 3)
    assert where(only(diags, "missing required field 'emotion'")) == (14, 3)
    d = only(diags, "unknown field 'txt'")
    assert where(d) == (13, 1) and "text" in d.hint


def test_trigger_fields_are_checked(project):
    path = project.scene(HEADER + '[[cue]]\non = "key"\nkey = "ctrl+alt+del"\ndo = "caption"\ntext = "x"\n'
                         '[[cue]]\non = "timer"\ndo = "caption"\ntext = "y"\n')
    diags = check_scene(path)
    assert where(only(diags, "'ctrl+alt+del' is not valid")) == (6, 7)
    assert where(only(diags, "missing required field 'every'")) == (9, 3)


def test_load_scene_target_must_exist_inside_the_project(project):
    path = project.scene(HEADER + '[[cue]]\nat = 1.0\ndo = "load_scene"\nscene = "nowhere.toml"\n'
                         '[[cue]]\nat = 2.0\ndo = "load_scene"\nscene = "../../../etc/x.toml"\n')
    diags = check_scene(path)
    assert where(only(diags, "'nowhere.toml' not found")) == (7, 9)
    assert where(only(diags, "leaves the project")) == (11, 9)


def test_all_errors_of_a_file_are_reported_at_once(project):
    path = project.scene('[scene]\nid = "Bad Id"\ntitle = "t"\n[[entity]]\nname = "a"\n[entity.camera]\n'
                         'fov_deg = -1\nnear = "x"\n[entity.light]\nkind = "laser"\n')
    with pytest.raises(SceneError) as caught:
        load_scene(path)
    assert [(d.line, d.col) for d in caught.value.diagnostics] == [(2, 6), (7, 11), (8, 8), (10, 8)]
    text = str(caught.value)
    assert text.splitlines()[0].startswith("scene.toml:2:6: error:") or ":2:6: error:" in text


def test_diagnostic_format_is_file_line_col_message(project):
    path = project.scene('[scene]\nid = "x"\ntitle = 5\n')
    (d,) = check_scene(path)
    assert d.format().endswith(':3:9: error: scene.title: expected a string, got an integer; '
                               'write it like title = "Airport guide"')
