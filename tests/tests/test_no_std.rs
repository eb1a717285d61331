//! `tests/no_std` is a `#![no_std]` crate that depends on `error-core` without `std` and
//! derives enums and structs with sources, key/value fields, retry hints and
//! `#[class(source)]`. It is its own workspace, so that this workspace's feature
//! unification (which enables `std`) does not hide a `std` dependency: this test checks it
//! with a separate `cargo check`.

use std::path::Path;
use std::process::Command;

#[test]
fn no_std_crate_checks() {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = tests_dir.join("no_std").join("Cargo.toml");
    let workspace = tests_dir.parent().unwrap();
    let target_dir = workspace.join("target").join("no_std");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let output = Command::new(&cargo)
        .arg("check")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--quiet")
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "`{} check --manifest-path {}` failed with {}\n--- stderr ---\n{}\n--- stdout ---\n{}",
        Path::new(&cargo).display(),
        manifest.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout),
    );
}
