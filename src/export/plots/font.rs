//! Registers the embedded DejaVu Sans (the `dejavu` crate) as plotters' `sans-serif`, once
//! per process, so charts never need a system font (and `PKG_CONFIG=/bin/false` builds).

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

/// Registers the fonts (idempotent, thread-safe).
pub fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
            (FontStyle::Italic, dejavu::sans::oblique()),
            (FontStyle::Oblique, dejavu::sans::oblique()),
        ] {
            // The bytes are a valid TrueType font compiled into the binary.
            let ok = register_font("sans-serif", style, bytes).is_ok();
            assert!(ok, "DejaVu Sans is a valid font");
        }
    });
}
