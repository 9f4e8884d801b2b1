//! Tests of output folders: manifests, refusal, staging, exchange and per-file replacement.

use super::*;

/// The names in `dir`, sorted (the app's tests of written files use it too).
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn commit_replaces_and_drop_leaves_the_old_results() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    fs::create_dir(&target).unwrap();
    fs::write(
        target.join("summary.json"),
        r#"{"defsim_version": "0.1.0"}"#,
    )
    .unwrap();
    check_target(&target).unwrap();

    let failed = Staging::new(&target).unwrap();
    fs::write(failed.path().join("summary.json"), "partial").unwrap();
    drop(failed);
    assert!(
        fs::read_to_string(target.join("summary.json"))
            .unwrap()
            .contains("0.1.0")
    );
    assert_eq!(names(dir.path()), ["out"], "no staging folder left");

    let ok = Staging::new(&target).unwrap();
    fs::write(ok.path().join("summary.json"), "new").unwrap();
    ok.commit().unwrap();
    assert_eq!(
        fs::read_to_string(target.join("summary.json")).unwrap(),
        "new"
    );
    assert_eq!(names(dir.path()), ["out"]);
    assert_eq!(names(&target), [MANIFEST, "summary.json"]);
    check_target(&target).unwrap();
}

#[test]
fn defect_3_replacement_is_an_exchange_that_never_empties_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    fs::create_dir(&a).unwrap();
    fs::create_dir(&b).unwrap();
    fs::write(a.join("x"), "a").unwrap();
    fs::write(b.join("x"), "b").unwrap();
    // tmpfs and ext4 (CI and this machine) both have RENAME_EXCHANGE.
    exchange(&a, &b).unwrap();
    assert_eq!(fs::read_to_string(a.join("x")).unwrap(), "b");
    assert_eq!(fs::read_to_string(b.join("x")).unwrap(), "a");
}

#[test]
fn defect_3_fallback_replaces_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    let old = Staging::new(&target).unwrap();
    fs::create_dir(old.path().join("plots")).unwrap();
    fs::write(old.path().join("plots/a.png"), "old a").unwrap();
    fs::write(old.path().join("plots/gone.png"), "old gone").unwrap();
    fs::write(old.path().join("summary.json"), "old").unwrap();
    old.commit().unwrap();
    let old_files = owned_files(&target).unwrap();

    let new = Staging::new(&target).unwrap();
    fs::create_dir(new.path().join("plots")).unwrap();
    fs::write(new.path().join("plots/a.png"), "new a").unwrap();
    fs::write(new.path().join("summary.json"), "new").unwrap();
    fs::write(new.path().join("trials.csv"), "new t").unwrap();
    let new_files = walk(new.path()).unwrap();
    replace_per_file(new.path(), &target, &old_files, &new_files).unwrap();
    assert_eq!(
        walk(&target).unwrap(),
        [
            MANIFEST,
            "plots/",
            "plots/a.png",
            "summary.json",
            "trials.csv"
        ]
    );
    assert_eq!(
        fs::read_to_string(target.join("plots/a.png")).unwrap(),
        "new a"
    );
    assert_eq!(owned_files(&target).unwrap().len(), 5);
}

#[test]
fn staging_names_carry_host_pid_and_a_nonce() {
    let target = Path::new("/tmp/x/out");
    let a = staging_path(target).unwrap();
    let b = staging_path(target).unwrap();
    assert_ne!(a, b, "a nonce per staging folder");
    let name = a.file_name().unwrap().to_string_lossy().into_owned();
    let rest = name.strip_prefix(".out.defsim-staging.").unwrap();
    let parts: Vec<&str> = rest.split('.').collect();
    assert_eq!(parts[0], host());
    assert_eq!(parts[1], std::process::id().to_string());
    assert_eq!(parts[2].len(), 16);
}

#[test]
fn defect_4_stale_staging_of_dead_processes_on_this_host_only_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    // A PID above the kernel's maximum (4194304) never runs.
    let dead = dir
        .path()
        .join(format!(".out.defsim-staging.{}.99999999.00", host()));
    let other_host = dir.path().join(".out.defsim-staging.elsewhere.99999999.00");
    let mine = staging_path(&target).unwrap();
    let user = dir.path().join(".out.tmp-99999999");
    for d in [&dead, &other_host, &mine, &user] {
        fs::create_dir(d).unwrap();
    }
    remove_stale(&target);
    assert!(!dead.exists());
    assert!(other_host.exists() && mine.exists() && user.exists());
}

#[test]
fn v01_and_manifest_folders_are_recognised_and_others_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("v01");
    fs::create_dir_all(t.join("plots")).unwrap();
    fs::write(t.join("run.json"), r#"{"defsim_version": "0.1.0"}"#).unwrap();
    fs::write(t.join("plots/fan.svg"), "").unwrap();
    check_target(&t).unwrap();
    fs::write(t.join("notes.txt"), "mine").unwrap();
    let e = check_target(&t).unwrap_err().0;
    assert!(e.contains("notes.txt"), "{e}");

    let t = dir.path().join("mine");
    fs::create_dir(&t).unwrap();
    check_target(&t).unwrap();
    fs::write(t.join("thesis.txt"), "x").unwrap();
    let e = check_target(&t).unwrap_err().0;
    assert!(
        e.contains("not a defsim output folder") && e.contains("thesis.txt"),
        "{e}"
    );

    let f = dir.path().join("file");
    fs::write(&f, "x").unwrap();
    assert!(check_target(&f).unwrap_err().0.contains("is a file"));
    assert!(check_target(Path::new(".")).is_err());
}

/// A file the user named (`check --json FILE`) is checked again at the rename: a file of the
/// user's created there after the check before the run is refused, left untouched, and the
/// staging file is removed; a file defsim wrote (or none) is replaced.
#[test]
fn a_user_file_created_during_the_run_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verdict.json");
    let kind: FileKind = ("verdict", |b| b.starts_with(b"ours"));
    // Before the run: a new name, accepted.
    check_file_target(&path, kind).unwrap();
    let written = write_user_file_atomic_with(&path, kind, |f| {
        // During the run the user writes a file of their own at the path.
        fs::write(&path, "the user's notes").unwrap();
        f.write_all(b"ours: new")
    });
    match written {
        Err(FileWriteError::Refused(r)) => {
            assert!(r.0.contains(&path.display().to_string()), "{r}")
        }
        other => panic!("the user's file was not refused: {other:?}"),
    }
    assert_eq!(fs::read_to_string(&path).unwrap(), "the user's notes");
    assert_eq!(
        names(dir.path()),
        ["verdict.json"],
        "the staging file is removed"
    );
    // A file defsim wrote is replaced whole.
    fs::write(&path, "ours: old").unwrap();
    write_user_file_atomic_with(&path, kind, |f| f.write_all(b"ours: new")).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "ours: new");
    assert_eq!(names(dir.path()), ["verdict.json"]);
}
