//! Embeds Medley's two front ends in the binary, each with its npm packages from the registry
//! through its lockfile: the API reference page (`api-reference/`: Swagger UI) and the web
//! player (`web/`: TypeScript and Preact, bundled by esbuild). Packages are installed when
//! missing or older than the lockfile, and the player is built again when its sources are newer
//! than its bundle; without npm each page answers that it was built without it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The newest modification under `p` (a file, or a folder's files).
fn newest(p: &Path) -> Option<std::time::SystemTime> {
    match std::fs::read_dir(p) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter_map(|e| newest(&e.path()))
            .max(),
        Err(_) => modified(p),
    }
}

/// Runs npm in `dir`; false (with a warning naming `what`) when it could not.
fn npm(dir: &Path, args: &[&str], what: &str) -> bool {
    match Command::new("npm").args(args).current_dir(dir).status() {
        Ok(s) if s.success() => true,
        Ok(s) => {
            println!(
                "cargo:warning=npm {} in {} failed ({s}); {what}",
                args[0],
                dir.display()
            );
            false
        }
        Err(e) => {
            println!("cargo:warning=npm is not available ({e}); {what}");
            false
        }
    }
}

/// Installs `dir`'s packages if they are missing or older than its lockfile.
fn install(dir: &Path, what: &str) -> bool {
    let installed = dir.join("node_modules/.package-lock.json");
    modified(&installed) >= modified(&dir.join("package-lock.json"))
        || npm(
            dir,
            &["ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            what,
        )
}

/// Copies `assets` (name in OUT_DIR, path under `dir`) into OUT_DIR, and writes `marker` with
/// whether all of them were there.
fn embed(dir: &Path, out: &Path, assets: &[(&str, &str)], marker: &str) {
    let mut complete = true;
    for (name, source) in assets {
        let bytes = std::fs::read(dir.join(source)).unwrap_or_else(|_| {
            complete = false;
            Vec::new()
        });
        std::fs::write(out.join(name), bytes).unwrap();
    }
    std::fs::write(out.join(marker), if complete { "yes" } else { "" }).unwrap();
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../..");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let reference = root.join("api-reference");
    for f in [
        "package.json",
        "package-lock.json",
        "index.html",
        "reference.js",
    ] {
        println!("cargo:rerun-if-changed={}", reference.join(f).display());
    }
    install(&reference, "/docs will say so");
    embed(
        &reference,
        &out,
        &[
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
        ],
        "complete",
    );

    let web = root.join("web");
    let sources = [
        "package.json",
        "package-lock.json",
        "build.mjs",
        "tsconfig.json",
        "index.html",
        "app.css",
        "src",
    ];
    for f in sources {
        println!("cargo:rerun-if-changed={}", web.join(f).display());
    }
    let what = "/ will say the player was built without it";
    let stale = sources.iter().filter_map(|f| newest(&web.join(f))).max()
        > modified(&web.join("dist/app.js"));
    if stale && install(&web, what) {
        npm(&web, &["run", "build"], what);
    }
    embed(
        &web,
        &out,
        &[
            ("player-index.html", "dist/index.html"),
            ("player-app.js", "dist/app.js"),
            ("player-app.css", "dist/app.css"),
        ],
        "player-complete",
    );
}
