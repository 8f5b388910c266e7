//! Embeds the API reference page's assets (`api-reference/`: Swagger UI from the npm registry,
//! through its lockfile) in the binary. Their npm packages are installed when missing or older
//! than the lockfile; without npm the page answers that it was built without them.

use std::path::{Path, PathBuf};
use std::process::Command;

const ASSETS: [(&str, &str); 4] = [
    ("index.html", "index.html"),
    ("reference.js", "reference.js"),
    (
        "swagger-ui-bundle.js",
        "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
    ),
    (
        "swagger-ui.css",
        "node_modules/swagger-ui-dist/swagger-ui.css",
    ),
];

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn main() {
    let dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../api-reference");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for f in [
        "package.json",
        "package-lock.json",
        "index.html",
        "reference.js",
    ] {
        println!("cargo:rerun-if-changed={}", dir.join(f).display());
    }
    let installed = dir.join("node_modules/.package-lock.json");
    if modified(&installed) < modified(&dir.join("package-lock.json")) {
        match Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .current_dir(&dir)
            .status()
        {
            Ok(s) if s.success() => {}
            Ok(s) => {
                println!("cargo:warning=npm ci in api-reference failed ({s}); /docs will say so")
            }
            Err(e) => println!("cargo:warning=npm is not available ({e}); /docs will say so"),
        }
    }
    let mut complete = true;
    for (name, source) in ASSETS {
        let bytes = std::fs::read(dir.join(source)).unwrap_or_else(|_| {
            complete = false;
            Vec::new()
        });
        std::fs::write(out.join(name), bytes).unwrap();
    }
    std::fs::write(out.join("complete"), if complete { "yes" } else { "" }).unwrap();
}
