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

/// An interval as the docs write it, `[1, 1e7]`, `(0, inf)`, `[1, 5,000]` (the bounds are
/// separated by a comma and a space; a comma inside a number groups its thousands).
fn interval(cell: &str) -> Option<(f64, f64, bool, bool)> {
    let start = cell.find(['[', '('])?;
    let rest = &cell[start..];
    let end = rest.find([']', ')'])?;
    let (lo, hi) = rest[1..end].split_once(", ")?;
    let number = |s: &str| -> Option<f64> {
        match s.trim() {
            "inf" => Some(f64::INFINITY),
            "-inf" => Some(f64::NEG_INFINITY),
            t => t.replace(',', "").parse().ok(),
        }
    };
    Some((
        number(lo)?,
        number(hi)?,
        rest.starts_with('('),
        rest[end..].starts_with(')'),
    ))
}

fn same(doc: Option<(f64, f64, bool, bool)>, code: &defsim::dist::Interval) -> bool {
    // An infinite end is open whatever the flag says.
    let open = |flag: bool, v: f64| flag || v.is_infinite();
    doc.is_some_and(|(lo, hi, lo_open, hi_open)| {
        lo == code.lo
            && hi == code.hi
            && lo_open == open(code.lo_open, code.lo)
            && hi_open == open(code.hi_open, code.hi)
    })
}

#[test]
fn calibration_md_gives_every_keys_domain_plausible_range_and_unit_as_validate_enforces_them() {
    use defsim::scenario::{Fixed, KeyKind};
    let schema = defsim::model::key_schema();
    let text = read("docs/calibration.md");
    let lines_of = |key: &str| -> Vec<String> {
        match key.strip_prefix("lines.*.") {
            Some(field) => schema
                .keys
                .iter()
                .filter(|k| k.path.starts_with("lines.") && k.path.ends_with(&format!(".{field}")))
                .map(|k| k.path.clone())
                .collect(),
            None => vec![key.to_string()],
        }
    };
    let mut wrong = Vec::new();
    let mut documented: Vec<String> = Vec::new();
    let mut reasoned: Vec<String> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.starts_with("| key |") {
            header = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            continue;
        }
        let col = |name: &str| header.iter().position(|h| h == name);
        let (Some(pcol), Some(dcol)) = (col("plausible range"), col("domain")) else {
            continue;
        };
        let Some((_, cells)) = table_rows(line).into_iter().next() else {
            continue;
        };
        let paths = lines_of(&cells[0]);
        let keys: Vec<_> = schema
            .keys
            .iter()
            .filter(|k| paths.contains(&k.path))
            .collect();
        if keys.is_empty() {
            wrong.push(format!("docs/calibration.md:{n}: {} is no key", cells[0]));
            continue;
        }
        for key in keys {
            match &key.kind {
                KeyKind::Number {
                    domain, plausible, ..
                } => {
                    if !same(interval(&cells[dcol]), domain) {
                        wrong.push(format!(
                            "docs/calibration.md:{n}: {} has domain `{}`, validate uses {domain}",
                            key.path, cells[dcol]
                        ));
                    }
                    if !same(interval(&cells[pcol]), plausible) {
                        wrong.push(format!(
                            "docs/calibration.md:{n}: {} has plausible range `{}`, validate \
                             uses {plausible}",
                            key.path, cells[pcol]
                        ));
                    }
                    if let Some(u) = col("unit") {
                        let want = if key.unit.is_empty() { "-" } else { key.unit };
                        if cells[u] != want {
                            wrong.push(format!(
                                "docs/calibration.md:{n}: {} has unit `{}`, the code says `{want}`",
                                key.path, cells[u]
                            ));
                        }
                    }
                }
                KeyKind::Fixed(Fixed::Count { min, max }) => {
                    let want = defsim::dist::Interval::closed(*min as f64, *max as f64);
                    if !same(interval(&cells[pcol]), &want) {
                        wrong.push(format!(
                            "docs/calibration.md:{n}: {} has plausible range `{}`, validate \
                             uses [{min}, {max}]",
                            key.path, cells[pcol]
                        ));
                    }
                }
                KeyKind::Fixed(_) => {}
            }
            if header.iter().any(|h| h == "why") {
                reasoned.push(key.path.clone());
            } else {
                documented.push(key.path.clone());
            }
        }
    }
    for key in &schema.keys {
        let KeyKind::Number {
            domain, plausible, ..
        } = &key.kind
        else {
            continue;
        };
        if !documented.contains(&key.path) {
            wrong.push(format!("{}: not in docs/calibration.md's tables", key.path));
        }
        if plausible != domain && !reasoned.contains(&key.path) {
            wrong.push(format!(
                "{}: its plausible range {plausible} is narrower than its domain {domain}, but \
                 docs/calibration.md's \"Plausible ranges\" table gives no reason",
                key.path
            ));
        }
    }
    assert!(
        documented.len() > 100,
        "only {} keys checked",
        documented.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
