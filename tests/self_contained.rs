//! The repository is self-contained: no file (code, comments, docs, scenarios, error
//! messages, goldens) sends a reader to a document outside it.

use std::path::{Path, PathBuf};

/// Names of documents that live outside the repository. Built from pieces so that this
/// file does not match itself.
fn outside() -> Vec<String> {
    let md = ".md";
    vec![
        format!("MODEL{md}"),
        format!("INTERFACE{md}"),
        format!("article-figures{md}"),
        format!("STYLE{md}"),
        format!("../{}", "shared"),
    ]
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | ".git" | "output" | "fonts" | "img") {
                walk(&path, out);
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rs" | "md" | "toml" | "json" | "snap" | "sh" | "yml" | "html")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn no_file_refers_to_a_document_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for top in ["src", "tests", "docs", "scenarios", "benches", ".ci"] {
        if root.join(top).is_dir() {
            walk(&root.join(top), &mut files);
        }
    }
    for f in ["README.md", "CHANGELOG.md", "Cargo.toml"] {
        if root.join(f).is_file() {
            files.push(root.join(f));
        }
    }
    assert!(
        files.len() > 50,
        "the walk found only {} files",
        files.len()
    );
    let names = outside();
    let cal = format!("calibration{}", ".md");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            for name in &names {
                if line.contains(name.as_str()) {
                    found.push(format!("{}:{}: {name}", f.display(), n + 1));
                }
            }
            // The calibration page is the repository's own only under docs/ (or as a link
            // from inside docs/).
            let bare = line.match_indices(cal.as_str()).any(|(i, _)| {
                let before = &line[..i];
                !(before.ends_with("docs/") || before.ends_with('[') || before.ends_with('('))
            });
            if bare && !f.starts_with(root.join("docs")) {
                found.push(format!("{}:{}: {cal}", f.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "references to documents outside the repository:\n{}",
        found.join("\n")
    );
}
