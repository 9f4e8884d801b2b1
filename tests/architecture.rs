//! The dependency picture is a stack: every `crate::` path in `src/` (and `defsim::` in
//! `src/main.rs`) points from a top-level module to one in a lower layer of the table in
//! `docs/architecture.md`, so there is no module cycle and no upward or sideways import.
//!
//! The checker is tested on synthetic graphs too (an upward edge, a sideways edge, a cycle,
//! a module missing from the table), so that it is known to fail when it should.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The layers of `docs/architecture.md`, top first: the rows of the table between the
/// `layers:begin` and `layers:end` markers, each `| N | `a`, `b` | ... |`.
fn layers(doc: &str) -> Vec<Vec<String>> {
    let start = doc
        .find("<!-- layers:begin -->")
        .expect("the layer table's begin marker");
    let end = doc
        .find("<!-- layers:end -->")
        .expect("the layer table's end marker");
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for line in doc[start..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| N | modules | ... |` splits into ["", "N", "modules", ...].
        let Some(n) = cells.get(1).and_then(|c| c.parse::<usize>().ok()) else {
            continue;
        };
        let modules: Vec<String> = cells[2]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        assert!(!modules.is_empty(), "layer {n} names no module: {line}");
        rows.push((n, modules));
    }
    rows.sort();
    assert!(rows.len() >= 3, "the layer table has too few rows");
    rows.into_iter().map(|(_, m)| m).collect()
}

/// The top-level module a file of `src/` belongs to (`src/model/step.rs` -> `model`);
/// `None` for the crate root `lib.rs`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib").then_some(name)
}

/// The top-level modules a line of code names through `prefix` (`crate::`): `crate::a::b`
/// names `a`, `crate::{a, b::c}` names `a` and `b`.
fn named(line: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in line.match_indices(prefix) {
        // Only whole paths: `xcrate::` is not `crate::`.
        let before = line[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &line[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() && name != "self" {
                            out.push(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ reads") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module -> the modules it names, with one example place per edge.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// The module graph of `src/`: code lines only (comments and doc examples are not
/// dependencies of the module).
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut g = Graph::new();
    for file in files {
        let Some(from) = module_of(src, &file) else {
            continue;
        };
        let text = fs::read_to_string(&file).expect("a source file reads");
        let edges = g.entry(from.clone()).or_default();
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut names = named(line, "crate::");
            if from == "main" {
                names.extend(named(line, "defsim::"));
            }
            for to in names {
                if to != from {
                    let place = format!(
                        "{}:{}",
                        file.strip_prefix(src).unwrap_or(&file).display(),
                        n + 1
                    );
                    edges.entry(to).or_insert(place);
                }
            }
        }
    }
    g
}

/// Every edge that is not strictly downward in `layers`, every module missing from it, and
/// every cycle: empty when the graph is a stack.
fn violations(layers: &[Vec<String>], g: &Graph) -> Vec<String> {
    let layer_of = |m: &str| layers.iter().position(|l| l.iter().any(|x| x == m));
    let mut out = Vec::new();
    for (from, edges) in g {
        let Some(lf) = layer_of(from) else {
            out.push(format!(
                "module `{from}` is not in the layer table of docs/architecture.md"
            ));
            continue;
        };
        for (to, place) in edges {
            match layer_of(to) {
                None => out.push(format!(
                    "{place}: `{from}` uses `{to}`, which is not in the layer table"
                )),
                Some(lt) if lt <= lf => out.push(format!(
                    "{place}: `{from}` (layer {}) uses `{to}` (layer {}): imports must point \
                     to a lower layer",
                    lf + 1,
                    lt + 1
                )),
                Some(_) => {}
            }
        }
    }
    if let Some(cycle) = find_cycle(g) {
        out.push(format!("module cycle: {}", cycle.join(" -> ")));
    }
    out
}

/// A cycle of the graph, if any (depth-first search).
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        g: &Graph,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == m) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        stack.push(m.to_string());
        for to in g.get(m).into_iter().flat_map(|e| e.keys()) {
            if let Some(c) = visit(to, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|m| visit(m, g, &mut Vec::new(), &mut done))
}

#[test]
fn the_crate_is_a_stack_in_the_documented_layer_order() {
    let doc = fs::read_to_string(root().join("docs/architecture.md"))
        .expect("docs/architecture.md exists");
    let layers = layers(&doc);
    let g = graph(&root().join("src"));
    for module in [
        "app", "analysis", "engine", "model", "scenario", "stats", "export",
    ] {
        assert!(g.contains_key(module), "no module `{module}` found in src/");
    }
    let bad = violations(&layers, &g);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A small synthetic stack: `top` over `mid` over `low`.
fn synthetic() -> (Vec<Vec<String>>, Graph) {
    let layers = vec![
        vec!["top".to_string()],
        vec!["mid".to_string(), "side".to_string()],
        vec!["low".to_string()],
    ];
    let mut g = Graph::new();
    let mut edge = |a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .insert(b.into(), format!("{a}.rs:1"));
    };
    edge("top", "mid");
    edge("top", "low");
    edge("mid", "low");
    g.entry("low".into()).or_default();
    g.entry("side".into()).or_default();
    (layers, g)
}

#[test]
fn the_checker_accepts_a_stack_and_fails_on_every_kind_of_bad_edge() {
    let (layers, g) = synthetic();
    assert!(violations(&layers, &g).is_empty());

    let mut up = g.clone();
    up.get_mut("low")
        .unwrap()
        .insert("mid".into(), "low.rs:7".into());
    let bad = violations(&layers, &up);
    assert!(
        bad.iter()
            .any(|b| b.contains("low.rs:7") && b.contains("lower layer")),
        "{bad:?}"
    );
    assert!(bad.iter().any(|b| b.starts_with("module cycle")), "{bad:?}");

    let mut sideways = g.clone();
    sideways
        .get_mut("mid")
        .unwrap()
        .insert("side".into(), "mid.rs:3".into());
    assert_eq!(violations(&layers, &sideways).len(), 1);

    let mut unknown = g.clone();
    unknown.entry("stray".into()).or_default();
    assert!(violations(&layers, &unknown)[0].contains("not in the layer table"));
}

#[test]
fn imports_are_read_from_paths_and_groups_but_not_comments() {
    assert_eq!(
        named("use crate::engine::{Model, Schema};", "crate::"),
        ["engine"]
    );
    assert_eq!(
        named(
            "use crate::{analysis::run, stats::{self, Mean}, self};",
            "crate::"
        ),
        ["analysis", "stats"]
    );
    assert_eq!(
        named("let x = crate::model::load(p); // crate::app", "crate::"),
        ["model", "app"]
    );
    assert!(named("use mycrate::engine;", "crate::").is_empty());
    let doc = "text\n<!-- layers:begin -->\n| layer | modules |\n| --- | --- |\n| 2 | `b`, `c` |\n\
               | 1 | `a` |\n| 3 | `d` |\n<!-- layers:end -->\n";
    assert_eq!(
        layers(doc),
        [
            vec!["a".to_string()],
            vec!["b".into(), "c".into()],
            vec!["d".into()]
        ]
    );
}
