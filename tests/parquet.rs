//! `run --trials-parquet` and `discover --from trials.parquet`, end to end.

mod common;

use std::fs;
use std::fs::File;
use std::path::Path;

use common::{defsim, scenario};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// trials.csv as rows of cells.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn trials_parquet_holds_the_columns_and_values_of_trials_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    // 5000 trials: more than one engine block, with absent breakeven years.
    defsim()
        .args(["run", &scenario("baseline.toml"), "--trials", "5000"])
        .args([
            "--seed",
            "11",
            "--no-plots",
            "--trials-csv",
            "--trials-parquet",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = read_csv(&out.join("trials.csv"));

    // Read back through the parquet crate's generic row API (as another tool would).
    let reader = SerializedFileReader::new(File::open(out.join("trials.parquet")).unwrap())
        .expect("a valid Parquet file");
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, header, "the same columns in the same order");
    let mut n = 0;
    let mut nulls = 0;
    for (i, row) in reader.get_row_iter(None).unwrap().enumerate() {
        let row = row.unwrap();
        for (c, (_, field)) in row.get_column_iter().enumerate() {
            let cell = &rows[i][c];
            match field {
                Field::Long(t) => assert_eq!(t.to_string(), *cell, "row {i} trial"),
                Field::Double(v) => assert_eq!(
                    cell.parse::<f64>().unwrap(),
                    *v,
                    "row {i}, column {}",
                    header[c]
                ),
                Field::Null => {
                    assert_eq!(cell, "", "row {i}, column {}", header[c]);
                    nulls += 1;
                }
                other => panic!("unexpected field {other:?}"),
            }
        }
        n += 1;
    }
    assert_eq!(n, rows.len());
    assert_eq!(n, 5000);
    assert!(nulls > 0, "absent outcomes are nulls");
}

#[test]
fn discover_reads_trials_parquet_as_it_reads_trials_csv() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    defsim()
        .args(["run", &scenario("baseline.toml"), "--trials", "3000"])
        .args([
            "--seed",
            "5",
            "--no-plots",
            "--trials-csv",
            "--trials-parquet",
        ])
        .arg("--out")
        .arg(&run)
        .assert()
        .success();
    let base = [
        "discover",
        &scenario("baseline.toml"),
        "--where",
        "viable == 1",
    ];
    let mut outputs = Vec::new();
    for (file, out) in [("trials.csv", "a"), ("trials.parquet", "b")] {
        let out = dir.path().join(out);
        defsim()
            .args(base)
            .arg("--from")
            .arg(run.join(file))
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        outputs.push(out);
    }
    for f in ["trajectory.csv", "box.csv"] {
        let same = fs::read(outputs[0].join(f)).unwrap() == fs::read(outputs[1].join(f)).unwrap();
        assert!(same, "{f} differs");
    }
    // discover.json names its source file; everything else is the same.
    let json = |dir: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("discover.json")).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("source");
        v
    };
    assert!(
        json(&outputs[0]) == json(&outputs[1]),
        "discover.json differs"
    );
    assert!(json(&outputs[0])["cases"].as_u64().unwrap() > 0);

    // A Parquet file without a column this scenario needs: exit 2, naming file and column.
    let other = dir.path().join("narrow.parquet");
    fs::copy(run.join("trials.parquet"), &other).unwrap();
    let out = dir.path().join("c");
    let assert = defsim()
        .args([
            "discover",
            &scenario("baseline.toml"),
            "--where",
            "nope == 1",
        ])
        .arg("--from")
        .arg(&other)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("nope"), "{err}");
    assert!(!out.exists());

    // A truncated Parquet file: exit 2 naming it, nothing written.
    let bytes = fs::read(run.join("trials.parquet")).unwrap();
    let cut = dir.path().join("cut.parquet");
    fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let assert = defsim()
        .args(base)
        .arg("--from")
        .arg(&cut)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(err.contains("cut.parquet"), "{err}");
    assert!(!out.exists());
}
