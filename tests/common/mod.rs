//! Helpers shared by the end-to-end tests that read what `defsim` wrote (`mod common;` in
//! each test file).

use std::fs;
use std::path::Path;

use serde_json::Value;

/// The text content of every `<text>` element of an SVG (trimmed, entities as written).
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].trim().to_string())
        })
        .collect()
}

/// The JSON file at `path`, parsed.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}
