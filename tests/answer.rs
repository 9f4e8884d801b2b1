//! The answer in words on the first screen of `report.html`, `compare.html` and
//! `sweep.html`: every sentence is checked against the JSON it comes from (its numbers are
//! the JSON's, rounded as written) and against what the intervals in that JSON allow.

mod common;

use std::fs;
use std::path::Path;

use scraper::{Html, Selector};
use serde_json::Value;

use common::read_json;

/// Runs `defsim args` in `cwd`, which must succeed.
fn defsim(cwd: &Path, args: &[&str]) {
    let o = common::defsim_in(cwd, args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The answer paragraph: the first `p.answer`, which must come before the first `h2`.
fn answer(html_path: &Path) -> String {
    let html = fs::read_to_string(html_path).unwrap();
    let at_answer = html
        .find("<p class=\"answer\">")
        .expect("an answer paragraph");
    let at_h2 = html.find("<h2>").expect("a section");
    assert!(
        at_answer < at_h2,
        "the answer comes first, before any section"
    );
    let doc = Html::parse_document(&html);
    let sel = Selector::parse("p.answer").unwrap();
    let p = doc.select(&sel).next().unwrap();
    p.text().collect::<String>()
}

/// Splits a paragraph into sentences (". " followed by a capital or a scenario name).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if c == '.' && chars.get(i + 1) == Some(&' ') && !chars[..i].ends_with(&['e', '.', 'g']) {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `x` written with `d` decimals reads back within half a unit of its last digit.
fn written(text: &str, value: f64) -> bool {
    let t = text.trim_start_matches('+').replace(',', "");
    let d = t.split_once('.').map_or(0, |(_, f)| f.len());
    let v: f64 = t.parse().unwrap_or_else(|_| panic!("`{text}` is a number"));
    (v - value).abs() <= 0.5 * 10f64.powi(-(d as i32)) + 1e-12
}

/// `12.3% (11.9-12.7%)` at the start of `s`: (p, lo, hi) as written.
fn percent_triple(s: &str) -> (String, String, String) {
    let (p, rest) = s.split_once("% (").unwrap();
    let (lo, rest) = rest.split_once('-').unwrap();
    let (hi, _) = rest.split_once("%)").unwrap();
    (
        p.rsplit(' ').next().unwrap().to_string(),
        lo.to_string(),
        hi.to_string(),
    )
}

fn check_probability(s: &str, p: &Value) {
    let (v, lo, hi) = percent_triple(s);
    assert!(written(&v, p["p"].as_f64().unwrap() * 100.0), "{s} vs {p}");
    assert!(
        written(&lo, p["ci95"][0].as_f64().unwrap() * 100.0),
        "{s} vs {p}"
    );
    assert!(
        written(&hi, p["ci95"][1].as_f64().unwrap() * 100.0),
        "{s} vs {p}"
    );
}

const CRITERIA: [(&str, &str, &str); 3] = [
    ("meets_min_independence", "independence", "independence"),
    ("meets_max_unit_cost_ratio", "unit cost", "unit_cost_ratio"),
    (
        "meets_max_fiscal_burden",
        "fiscal burden",
        "peak_fiscal_burden",
    ),
];

#[test]
fn a_runs_answer_matches_its_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    defsim(
        tmp.path(),
        &[
            "run",
            "scenarios/baseline.toml",
            "--trials",
            "4000",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let summary = read_json(&out.join("summary.json"));
    let text = answer(&out.join("report.html"));
    let s = sentences(&text);
    assert_eq!(s.len(), 3, "{s:?}");

    // 1. P(viable) with its interval, of the run's trials.
    assert!(s[0].starts_with("In "), "{}", s[0]);
    assert!(s[0].ends_with(" of 4,000 simulated futures the plan is viable."));
    check_probability(&s[0]["In ".len()..], &summary["probabilities"]["viable"]);

    // 2. The binding criterion: the lowest P, and "binds" only if its interval lies below
    //    every other criterion's.
    let probs = &summary["probabilities"];
    let mut crit: Vec<(&str, &str, &str, f64)> = CRITERIA
        .iter()
        .map(|(c, label, o)| (*c, *label, *o, probs[c]["p"].as_f64().unwrap()))
        .collect();
    crit.sort_by(|a, b| a.3.total_cmp(&b.3));
    let lowest = &probs[crit[0].0];
    let clear = crit[1..]
        .iter()
        .all(|c| lowest["ci95"][1].as_f64().unwrap() < probs[c.0]["ci95"][0].as_f64().unwrap());
    if clear {
        let head = "is the criterion that binds: it is met in ";
        assert!(s[1].to_lowercase().starts_with(crit[0].1), "{}", s[1]);
        let at = s[1].find(head).expect("binds") + head.len();
        check_probability(&s[1][at..], lowest);
        for c in &crit[1..] {
            let at = s[1]
                .find(&format!("% for {}", c.1))
                .expect("every other criterion");
            let num = s[1][..at].rsplit(' ').next().unwrap();
            assert!(
                written(num, probs[c.0]["p"].as_f64().unwrap() * 100.0),
                "{}",
                s[1]
            );
        }
    } else {
        assert!(s[1].contains("bind about equally"), "{}", s[1]);
    }

    // 3. Drivers of the binding criterion's outcome: the named inputs are the strongest
    //    whose intervals exclude 0, their correlations as in the JSON, and R².
    let d = &summary["drivers"];
    assert_eq!(d["trials"], 4000);
    let od = &d["outcomes"][crit[0].2];
    let mut clear_inputs: Vec<(String, f64)> = od["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            let r = i["spearman"].as_f64()?;
            let (lo, hi) = (i["ci95"][0].as_f64()?, i["ci95"][1].as_f64()?);
            ((lo > 0.0 || hi < 0.0) && r.abs() >= 0.05)
                .then(|| (i["key"].as_str().unwrap().to_string(), r))
        })
        .collect();
    clear_inputs.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    assert!(!clear_inputs.is_empty(), "the baseline has clear drivers");
    let label = |key: &str| defsim::analysis::answer::key_label(key);
    let first = &clear_inputs[0];
    let head = format!(
        "The answer depends most on {} (rank correlation with ",
        label(&first.0)
    );
    assert!(s[2].starts_with(&head), "{}\n{head}", s[2]);
    let after = &s[2][head.len()..];
    let num = after.split(')').next().unwrap().rsplit(' ').next().unwrap();
    assert!(written(num, first.1), "{num} vs {}", first.1);
    if let Some(second) = clear_inputs.get(1) {
        let at = s[2]
            .find(&format!(" and {} (", label(&second.0)))
            .expect("second");
        let num = s[2][at..]
            .split('(')
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        assert!(written(num, second.1), "{num} vs {}", second.1);
    }
    let r2 = od["r2"].as_f64().unwrap() * 100.0;
    let pct = s[2]
        .split("explain about ")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap();
    let v: f64 = pct.parse().unwrap();
    assert!((v - r2).abs() <= 2.5, "{v} vs {r2}");
    assert!(s[2].ends_with("the rest is the annual shocks."));
}

#[test]
fn a_comparisons_answer_matches_its_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    defsim(
        tmp.path(),
        &[
            "compare",
            "scenarios/baseline.toml",
            "scenarios/captive-power.toml",
            "--trials",
            "4000",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let cmp = read_json(&out.join("compare.json"));
    let s = sentences(&answer(&out.join("compare.html")));
    assert_eq!(s.len(), 2, "{s:?}");
    let first = &cmp["viable"][0];
    assert!(s[0].starts_with(&format!(
        "Under {}, the plan is viable in ",
        first["scenario"].as_str().unwrap()
    )));
    check_probability(s[0].split("viable in ").nth(1).unwrap(), first);
    let second = &cmp["viable"][1];
    let name = second["scenario"].as_str().unwrap();
    assert!(s[1].starts_with(&format!("{name}: ")));
    check_probability(&s[1][name.len() + 2..], second);
    let row = |o: &str| {
        cmp["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["outcome"] == o && r["scenario"] == name)
            .unwrap()["paired"]
            .clone()
    };
    // The paired difference in points and its interval, and the verdict it allows.
    let d = row("viable");
    let (lo, hi) = (
        d["ci95"][0].as_f64().unwrap(),
        d["ci95"][1].as_f64().unwrap(),
    );
    let part = s[1].split(" points").next().unwrap();
    let diff = part.rsplit(' ').next().unwrap();
    assert!(
        written(diff, d["diff"].as_f64().unwrap() * 100.0),
        "{diff} vs {d}"
    );
    let interval = s[1].split("(95% interval ").nth(1).unwrap();
    let (a, b) = interval.split_once(" to ").unwrap();
    assert!(written(a, lo * 100.0) && written(b.split(')').next().unwrap(), hi * 100.0));
    if lo > 0.0 || hi < 0.0 {
        assert!(
            s[1].contains(if lo > 0.0 { "raising" } else { "lowering" }),
            "{}",
            s[1]
        );
    } else {
        assert!(s[1].contains("not distinguishable from"), "{}", s[1]);
    }
    let c = row("program_cost_musd");
    let cost = s[1].split("mean program cost ").nth(1).unwrap();
    assert!(
        written(cost.split(' ').next().unwrap(), c["diff"].as_f64().unwrap()),
        "{cost} vs {c}"
    );
    let covers = c["ci95"][0].as_f64().unwrap() <= 0.0 && c["ci95"][1].as_f64().unwrap() >= 0.0;
    assert_eq!(cost.ends_with("not distinguishable."), covers, "{cost}");
}

#[test]
fn a_sweeps_answer_matches_its_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    defsim(
        tmp.path(),
        &[
            "sweep",
            "scenarios/baseline.toml",
            "--param",
            "plan.captive_power_share=0:1:3",
            "--trials",
            "3000",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let sw = read_json(&out.join("sweep.json"));
    let s = sentences(&answer(&out.join("sweep.html")));
    assert_eq!(s.len(), 2, "{s:?}");
    let steps = sw["steps"].as_array().unwrap();
    let p = |i: usize| &steps[i]["probabilities"]["viable"];
    let ci = |i: usize, k: usize| p(i)["ci95"][k].as_f64().unwrap();
    assert!(s[0].starts_with("As plan.captive_power_share goes from 0 to 1, P(viable) goes from "));
    let rest = s[0].split("goes from ").nth(2).unwrap();
    check_probability(rest, p(0));
    check_probability(rest.split(" to ").nth(1).unwrap(), p(2));
    let rises = ci(0, 1) < ci(2, 0);
    let falls = ci(2, 1) < ci(0, 0);
    assert_eq!(s[0].ends_with("it clearly rises."), rises);
    assert_eq!(s[0].ends_with("it clearly falls."), falls);
    // The highest step, and "clearly above" only when no other interval overlaps it.
    let best = (0..3)
        .max_by(|&a, &b| {
            p(a)["p"]
                .as_f64()
                .unwrap()
                .total_cmp(&p(b)["p"].as_f64().unwrap())
        })
        .unwrap();
    let v = steps[best]["value"].as_f64().unwrap();
    assert!(
        s[1].contains(&format!("plan.captive_power_share = {v}: ")),
        "{}",
        s[1]
    );
    check_probability(s[1].split(": ").nth(1).unwrap(), p(best));
    let overlapping = (0..3)
        .filter(|&i| i != best && ci(i, 1) >= ci(best, 0))
        .count();
    assert_eq!(
        s[1].contains("clearly above every other step"),
        overlapping == 0,
        "{}",
        s[1]
    );
}

#[test]
fn drivers_are_the_same_whether_the_run_kept_every_trials_inputs_or_its_first_ones() {
    // --trials-parquet keeps every trial's inputs; without it a run keeps only its drivers'
    // (the first 100,000 trials', a count that ends inside a block of 4,096). Both, on any
    // thread count, with either design, give the same summary.json byte for byte.
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut args = vec![
            "run",
            "scenarios/baseline.toml",
            "--trials",
            "110000",
            "--no-plots",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        defsim(tmp.path(), &args);
        fs::read_to_string(out.join("summary.json")).unwrap()
    };
    let every = run("every", &["--trials-parquet", "--threads", "1"]);
    let first = run("first", &["--threads", "2"]);
    assert!(every.contains("\"drivers\""));
    assert_eq!(every, first);
    let lhs_every = run("lhs-every", &["--design", "lhs", "--trials-parquet"]);
    let lhs_first = run("lhs-first", &["--design", "lhs"]);
    assert_eq!(lhs_every, lhs_first);
}
