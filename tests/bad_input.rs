//! Bad input end to end: every malformed or impossible scenario of the shared table
//! (`tests/bad_inputs/cases.rs`) makes `defsim run` exit with code 2, print one error that
//! names the file(s) and the key path (or the line, where there is no key path), and write
//! no output folder. The same table is checked at library level in `src/scenario/mod.rs`.

use std::path::Path;

use assert_cmd::Command;

include!("bad_inputs/cases.rs");

#[test]
fn every_bad_input_exits_2_with_one_clear_error_and_no_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in CASES {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let out = tmp.path().join("out");
        let file = Path::new("tests/bad_inputs").join(case.file);
        let mut cmd = Command::cargo_bin("defsim").expect("the defsim binary is built");
        cmd.current_dir(root)
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out);
        for s in case.set {
            cmd.arg("--set").arg(s);
        }
        let output = cmd.output().expect("defsim runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let what = format!("{} {:?}\nstderr:\n{stderr}", case.file, case.set);

        assert_eq!(output.status.code(), Some(2), "exit code of {what}");
        for name in case.names {
            assert!(stderr.contains(name), "stderr should name {name}: {what}");
        }
        match (case.key, case.line) {
            (Some(key), _) => assert!(stderr.contains(key), "stderr should name {key}: {what}"),
            (None, Some(line)) => {
                let at = format!("{}:{line}", case.names[0]);
                assert!(stderr.contains(&at), "stderr should point at {at}: {what}");
            }
            (None, None) => {}
        }
        assert!(
            stderr.contains(case.says),
            "stderr should say {:?}: {what}",
            case.says
        );
        assert!(stderr.contains("error"), "{what}");
        assert!(!out.exists(), "no output folder may be written: {what}");
    }
}
