//! The documentation's tables agree with the code they describe: every outcome's unit in
//! `docs/model.md` is the model's outcome schema's, and every key's domain, plausible range
//! and unit in `docs/calibration.md` are those `validate` enforces (the key schema). The code
//! is the one source of truth; these tests fail when a doc drifts from it.

use std::collections::BTreeMap;
use std::path::Path;

use defsim::engine::Model;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(doc: &str) -> String {
    std::fs::read_to_string(root().join(doc)).unwrap_or_else(|e| panic!("{doc}: {e}"))
}

/// The rows of every Markdown table in `text` whose first cell is a `code` name, as
/// (line number, cells), with the backticks of the first cell removed.
fn table_rows(text: &str) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("| `"))
        .map(|(n, l)| {
            let cells: Vec<String> = l
                .trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            let mut cells = cells;
            cells[0] = cells[0].trim_matches('`').to_string();
            (n + 1, cells)
        })
        .collect()
}

/// The section of `text` from the heading `start` to the next heading of the same level.
fn section<'a>(text: &'a str, start: &str) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("no section {start}"));
    let level = start.split(' ').next().unwrap();
    let rest = &text[i + start.len()..];
    let end = rest
        .match_indices(&format!("\n{level} "))
        .next()
        .map_or(rest.len(), |(j, _)| j);
    &rest[..end]
}

#[test]
fn model_md_gives_every_outcome_with_the_schemas_unit() {
    let scenario = defsim::model::load(&root().join("scenarios/baseline.toml"), &[]).unwrap();
    let model = defsim::model::ViabilityModel::new(&scenario);
    let text = read("docs/model.md");
    let doc: BTreeMap<String, (usize, String)> = table_rows(section(&text, "## Outcomes"))
        .into_iter()
        .map(|(n, c)| (c[0].clone(), (n, c[1].clone())))
        .collect();
    let lines = ["small_arms", "vehicles", "ammunition", "explosives"];
    let generic = |name: &str| -> String {
        match name.split_once('.') {
            Some((line, field)) if lines.contains(&line) => format!("<l>.{field}"),
            _ => name.to_string(),
        }
    };
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for o in &model.schema().outcomes {
        let key = generic(&o.name);
        match doc.get(&key) {
            None => wrong.push(format!("{}: not in docs/model.md's outcome tables", o.name)),
            Some((n, unit)) if *unit != o.unit => wrong.push(format!(
                "docs/model.md:{n}: {key} has unit `{unit}`, the schema says `{}`",
                o.unit
            )),
            Some(_) => {}
        }
        assert!(!o.unit.is_empty(), "{} has no unit", o.name);
        seen.push(key);
    }
    for (name, (n, _)) in &doc {
        if !seen.contains(name) {
            wrong.push(format!(
                "docs/model.md:{n}: {name} is no outcome of the model"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
