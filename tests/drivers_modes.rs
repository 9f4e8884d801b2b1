//! A run's drivers (which inputs move each criterion's outcome; `drivers` in summary.json and
//! the "depends most on" sentence of report.html) rest on its first min(trials, 100,000)
//! trials, so an in-memory run, a streaming run and any sharding merged give the same ones.

mod common;

use std::fs;
use std::path::Path;

use common::{defsim, read_json, scenario};

fn run(args: &[&str]) {
    let o = defsim().args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The drivers object of `dir`'s summary.json and the drivers sentence of its report.
fn drivers(dir: &Path) -> (serde_json::Value, String) {
    let d = read_json(&dir.join("summary.json"))["drivers"].clone();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html
        .find("The answer depends most on")
        .expect("the report names the drivers");
    let sentence = html[at..].split('<').next().unwrap().to_string();
    (d, sentence)
}

#[test]
fn streaming_and_sharded_runs_have_the_in_memory_runs_drivers() {
    let tmp = tempfile::tempdir().unwrap();
    let base = scenario("baseline.toml");
    let out = |n: &str| tmp.path().join(n).display().to_string();
    // 110,000 trials: the drivers take the first 100,000; with 4 shards of the 27 blocks the
    // last shard (blocks 20..27, trials 81,920..110,000) holds the cut.
    let trials = "110000";
    let common = ["--trials", trials, "--no-plots", "--seed", "5"];
    let mut memory = vec!["run", base.as_str(), "--out"];
    let memory_out = out("memory");
    memory.push(&memory_out);
    memory.extend(common);
    run(&memory);
    let streaming_out = out("streaming");
    let mut streaming = vec!["run", base.as_str(), "--streaming", "--out", &streaming_out];
    streaming.extend(common);
    run(&streaming);
    let parts = out("parts");
    for k in 0..4 {
        let plan = format!("{k}/4");
        let mut shard = vec!["run", base.as_str(), "--shard", &plan, "--out", &parts];
        shard.extend(["--trials", trials, "--seed", "5"]);
        run(&shard);
    }
    let merged = out("merged");
    let mut merge = vec!["merge", "--no-plots", "--out", &merged];
    let files: Vec<String> = (0..4)
        .rev()
        .map(|k| format!("{parts}/part-{k}-of-4.defsim"))
        .collect();
    merge.extend(files.iter().map(String::as_str));
    run(&merge);

    let (d_memory, s_memory) = drivers(Path::new(&memory_out));
    assert_eq!(d_memory["trials"], 100_000, "the first 100,000 trials");
    assert!(
        d_memory["outcomes"]
            .as_object()
            .is_some_and(|o| !o.is_empty())
    );
    for dir in [&streaming_out, &merged] {
        let (d, s) = drivers(Path::new(dir));
        assert_eq!(d, d_memory, "{dir}: drivers");
        assert_eq!(s, s_memory, "{dir}: sentence");
    }
    // The merged shards are the streaming run, byte for byte, drivers included.
    assert_eq!(
        fs::read(Path::new(&streaming_out).join("summary.json")).unwrap(),
        fs::read(Path::new(&merged).join("summary.json")).unwrap()
    );
}

/// Fewer trials than the drivers' cap, with a Latin hypercube and a checkpointed run: the
/// streaming drivers are still the in-memory ones.
#[test]
fn small_lhs_and_checkpointed_streaming_runs_have_the_in_memory_drivers() {
    let tmp = tempfile::tempdir().unwrap();
    let base = scenario("baseline.toml");
    let out = |n: &str| tmp.path().join(n).display().to_string();
    let common = ["--trials", "6000", "--no-plots", "--design", "lhs"];
    let (m, st) = (out("m"), out("s"));
    let mut memory = vec!["run", base.as_str(), "--out", &m];
    memory.extend(common);
    run(&memory);
    let mut streaming = vec!["run", base.as_str(), "--streaming", "--out", &st];
    streaming.extend(common);
    run(&streaming);
    let (d, s) = drivers(Path::new(&m));
    assert_eq!(d["trials"], 6000);
    assert_eq!(drivers(Path::new(&st)), (d, s));

    let (m, c) = (out("m2"), out("c2"));
    run(&["run", &base, "--trials", "9000", "--no-plots", "--out", &m]);
    run(&[
        "run",
        &base,
        "--trials",
        "9000",
        "--no-plots",
        "--checkpoint",
        "--out",
        &c,
    ]);
    assert_eq!(drivers(Path::new(&m)), drivers(Path::new(&c)));
}

/// Parts of format 2 (written before parts carried the drivers' sample) still merge: to the
/// streaming run's summary.json without `drivers`, and to its trial table.
#[test]
fn format_2_run_parts_still_merge_without_drivers() {
    use sha2::Digest;
    let tmp = tempfile::tempdir().unwrap();
    let base = scenario("baseline.toml");
    let out = |n: &str| tmp.path().join(n).display().to_string();
    let (parts, old, streaming) = (out("parts"), out("old"), out("streaming"));
    let trials = ["--trials", "12000", "--trials-csv"];
    for k in 0..3 {
        let plan = format!("{k}/3");
        let mut shard = vec!["run", base.as_str(), "--shard", &plan, "--out", &parts];
        shard.extend(trials);
        run(&shard);
    }
    let mut whole = vec!["run", base.as_str(), "--streaming", "--no-plots"];
    whole.extend(["--out", &streaming]);
    whole.extend(trials);
    run(&whole);
    // Rewrite each part as format 2: the statistics alone as its body, rows as they were.
    fs::create_dir(&old).unwrap();
    let mut files = Vec::new();
    for k in 0..3 {
        let path = Path::new(&parts).join(format!("part-{k}-of-3.defsim"));
        let (_, body) = defsim::export::part::read(&path).unwrap();
        let bytes = fs::read(&path).unwrap();
        let first = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
        let second = first + bytes[first..].iter().position(|b| *b == b'\n').unwrap() + 1;
        let mut header: serde_json::Value = serde_json::from_slice(&bytes[first..second]).unwrap();
        let rows = &bytes[second + header["body_bytes"].as_u64().unwrap() as usize..];
        let stats = postcard::to_stdvec(&body.stats).unwrap();
        header["format"] = 2.into();
        header["body_bytes"] = stats.len().into();
        header["body_sha256"] = sha2::Sha256::digest(&stats)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into();
        let mut v2 = b"defsim-part 2\n".to_vec();
        v2.extend(serde_json::to_vec(&header).unwrap());
        v2.push(b'\n');
        v2.extend(&stats);
        v2.extend(rows);
        let file = Path::new(&old).join(format!("part-{k}-of-3.defsim"));
        fs::write(&file, v2).unwrap();
        files.push(file.display().to_string());
    }
    let merged = out("merged");
    let mut merge = vec!["merge", "--no-plots", "--out", &merged];
    merge.extend(files.iter().map(String::as_str));
    run(&merge);
    let mut expected = read_json(&Path::new(&streaming).join("summary.json"));
    assert!(
        expected["drivers"].is_object(),
        "the streaming run has drivers"
    );
    expected.as_object_mut().unwrap().remove("drivers");
    assert_eq!(
        read_json(&Path::new(&merged).join("summary.json")),
        expected
    );
    assert_eq!(
        fs::read(Path::new(&merged).join("trials.csv")).unwrap(),
        fs::read(Path::new(&streaming).join("trials.csv")).unwrap()
    );
}
