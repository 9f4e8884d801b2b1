//! `defsim run` writes every plot (PNG and SVG) and a report.html that parses, shows every
//! plot and lists every parameter with its source; `--no-plots` skips the plots only.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use scraper::{Html, Selector};
use serde_json::Value;

use common::{read_json, svg_texts};

/// Figure size of every plot (`defsim::export::plots::SIZE`).
const SIZE: (u32, u32) = defsim::export::plots::SIZE;

/// Runs 2,000 baseline trials into `out` with `extra` options; the run must succeed.
fn run(out: &Path, extra: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::cargo_bin("defsim")
        .expect("the defsim binary is built")
        .current_dir(root)
        .args([
            "run",
            "scenarios/baseline.toml",
            "--trials",
            "2000",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .expect("defsim runs");
    assert!(
        output.status.success(),
        "defsim run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn summary(out: &Path) -> Value {
    read_json(&out.join("summary.json"))
}

/// The axis labels (title and unit) of every outcome, then of every series, of the
/// baseline's model (an outcome and a series may share a name).
type Labels = (
    std::collections::HashMap<String, String>,
    std::collections::HashMap<String, String>,
);

fn labels() -> Labels {
    use defsim::engine::Model;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = defsim::model::load(&root.join("scenarios/baseline.toml"), &[]).unwrap();
    let model = defsim::model::ViabilityModel::new(&s);
    let schema = model.schema();
    let outcomes = schema
        .outcomes
        .iter()
        .map(|o| (o.name.clone(), o.label()))
        .collect();
    let series = schema
        .series
        .iter()
        .map(|x| (x.name.clone(), x.label.clone()))
        .collect();
    (outcomes, series)
}

/// Every plot a run must write, with its title: derived from summary.json's names and the
/// model's labels (titles name units).
fn expected_plots(summary: &Value) -> Vec<(String, String)> {
    let (outcome_labels, series_labels) = labels();
    let indicators = [
        "viable",
        "meets_min_independence",
        "meets_max_unit_cost_ratio",
        "meets_max_fiscal_burden",
    ];
    let states = [
        "sanctioned",
        "support_state",
        "support_full",
        "support_reduced",
        "support_withdrawn",
    ];
    // In report order: the dashboard, histograms, the states chart, fan charts.
    let mut plots = vec![(
        "dashboard".to_string(),
        "P(viable) and the share of trials meeting each criterion".to_string(),
    )];
    for name in summary["outcomes"].as_object().unwrap().keys() {
        if !indicators.contains(&name.as_str()) {
            plots.push((
                format!("hist_{name}"),
                format!("Distribution of {} over trials", outcome_labels[name]),
            ));
        }
    }
    plots.push((
        "states".to_string(),
        "Sanctions and foreign support: share of trials in each state by year".to_string(),
    ));
    for name in summary["timeseries"].as_object().unwrap().keys() {
        if !states.contains(&name.as_str()) {
            plots.push((
                format!("fan_{}", name.replace('.', "-")),
                format!("{} by year: 5-25-50-75-95% of trials", series_labels[name]),
            ));
        }
    }
    plots
}

/// Decodes a PNG; returns its size and RGB(A) pixels.
fn decode_png(path: &PathBuf) -> ((u32, u32), Vec<u8>, usize) {
    let bytes = fs::read(path).unwrap();
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    buf.truncate(info.buffer_size());
    let channels = info.color_type.samples();
    ((info.width, info.height), buf, channels)
}

#[test]
fn every_plot_is_a_valid_png_and_svg_with_its_title() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&out, &[]);
    let summary = summary(&out);
    let expected = expected_plots(&summary);
    // 22 histograms (13, `independence_enabled` and each line's independence and unit
    // cost ratio), 19 fan charts (`growth` among them), the dashboard and the states chart.
    assert_eq!(expected.len(), 43);

    let written: BTreeSet<String> = fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let wanted: BTreeSet<String> = expected
        .iter()
        .flat_map(|(stem, _)| [format!("{stem}.png"), format!("{stem}.svg")])
        .collect();
    assert_eq!(written, wanted, "plots/ holds exactly the expected files");

    for (stem, title) in &expected {
        let svg = fs::read_to_string(out.join("plots").join(format!("{stem}.svg"))).unwrap();
        assert!(svg.trim_start().starts_with("<svg"), "{stem}.svg is an SVG");
        assert!(svg.trim_end().ends_with("</svg>"), "{stem}.svg is complete");
        let texts = svg_texts(&svg);
        assert!(
            texts.iter().any(|t| t == title),
            "{stem}.svg has the title {title:?} as text: {texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("seed 20250117, 2,000 trials")),
            "{stem}.svg has the caption"
        );

        let ((w, h), pixels, channels) = decode_png(&out.join("plots").join(format!("{stem}.png")));
        assert_eq!((w, h), SIZE, "{stem}.png size");
        let px: Vec<&[u8]> = pixels.chunks(channels).collect();
        let inked = px.iter().filter(|p| p[..3] != [255, 255, 255]).count();
        let colours: BTreeSet<&[u8]> = px.iter().map(|p| &p[..3]).collect();
        assert!(
            inked as f64 > 0.02 * px.len() as f64,
            "{stem}.png is not blank ({inked} inked pixels)"
        );
        assert!(colours.len() > 20, "{stem}.png has text and shading");
        // Text was rendered with the embedded font: the title row is not empty.
        let title_row_inked = px[..(w as usize * 30)]
            .iter()
            .filter(|p| p[..3] != [255, 255, 255])
            .count();
        assert!(title_row_inked > 200, "{stem}.png has a title");
    }
}

#[test]
fn report_parses_and_holds_every_plot_and_every_parameter_with_its_source() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&out, &[]);
    let summary = summary(&out);
    let text = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!text.contains("<script"), "no JavaScript");
    assert!(
        !text.contains("src=") && !text.contains("<link"),
        "nothing loaded from elsewhere"
    );
    // The parser's error list is a real well-formedness check: it flags a stray end tag.
    assert!(
        !Html::parse_document("<!DOCTYPE html><title>x</title><p></div>")
            .errors
            .is_empty()
    );
    let doc = Html::parse_document(&text);
    assert!(
        doc.errors.is_empty(),
        "report.html parses without errors: {:?}",
        doc.errors
    );
    let sel = |s: &str| Selector::parse(s).unwrap();

    let title: String = doc.select(&sel("title")).next().unwrap().text().collect();
    assert_eq!(title, "defsim: baseline");
    let body: String = doc.root_element().text().collect();
    let description = summary["scenario"]["description"].as_str().unwrap();
    assert!(body.contains(description), "the scenario's description");
    assert!(body.contains("P(viable)"));

    let expected = expected_plots(&summary);
    let figures: Vec<_> = doc.select(&sel("figure")).collect();
    assert_eq!(figures.len(), expected.len(), "one figure per plot");
    for ((stem, title), fig) in expected.iter().zip(&figures) {
        assert_eq!(fig.value().attr("id"), Some(stem.as_str()));
        assert_eq!(fig.select(&sel("svg")).count(), 1, "{stem} is inlined");
        let text: String = fig.text().collect();
        assert!(text.contains(title.as_str()), "{stem} shows its title");
    }

    let rows: Vec<Vec<String>> = doc
        .select(&sel("tbody.params tr"))
        .map(|tr| {
            tr.select(&sel("td"))
                .map(|td| td.text().collect::<String>())
                .collect()
        })
        .collect();
    let params = summary["parameters"].as_array().unwrap();
    assert_eq!(rows.len(), params.len(), "one row per parameter");
    for (row, p) in rows.iter().zip(params) {
        assert_eq!(row[0], p["key"].as_str().unwrap());
        assert_eq!(row[1], p["dist"].as_str().unwrap());
        let source = p["source"].as_str().unwrap();
        if !source.is_empty() {
            assert_eq!(row[2], source, "source of {}", row[0]);
        }
    }

    let outcome_rows = doc
        .select(&sel("table"))
        .next()
        .unwrap()
        .select(&sel("tbody tr"))
        .count();
    assert_eq!(outcome_rows, summary["outcomes"].as_object().unwrap().len());
}

#[test]
fn no_plots_skips_the_plots_but_writes_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&out, &["--no-plots"]);
    assert!(!out.join("plots").exists());
    let text = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = Html::parse_document(&text);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert!(text.contains("--no-plots"));
}

#[test]
fn a_quiet_plotted_run_prints_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = run(&out, &["--quiet"]);
    assert!(out.join("plots/dashboard.png").exists());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
