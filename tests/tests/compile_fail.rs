//! The compiler error for a builder missing a required member names the member and its
//! setter. Compiles small programs with `rustc` against the `awslim-connect` library this test
//! was built with (found beside the test binary), and reads the diagnostics.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest `lib<name>-*.rlib` in `dir`.
fn newest_rlib(dir: &Path, name: &str) -> Option<PathBuf> {
    let prefix = format!("lib{name}-");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".rlib"))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
}

/// rustc's diagnostics for `program` (a `main` using `awslim_connect`); panics if it compiles.
fn compile_errors(case: &str, program: &str) -> String {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let rlib = newest_rlib(&deps, "awslim_connect").expect("libawslim_connect rlib beside the test binary");
    let dir = std::env::temp_dir().join(format!("awslim-compile-fail-{}-{case}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("main.rs");
    std::fs::write(&src, program).unwrap();
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2021", "--crate-type", "bin", "--emit", "metadata", "--color", "never"])
        .arg("-L")
        .arg(format!("dependency={}", deps.display()))
        .arg("--extern")
        .arg(format!("awslim_connect={}", rlib.display()))
        .arg("--out-dir")
        .arg(&dir)
        .arg(&src)
        .output()
        .expect("run rustc");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "the program compiled:\n{program}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_required_member_is_named_with_its_setter() {
    let errors = compile_errors(
        "request",
        r#"
use awslim_connect::types::{ParticipantDetails, StartWebRtcContactRequest};
fn main() {
    let _input = StartWebRtcContactRequest::builder()
        .instance_id("instance")
        .participant_details(ParticipantDetails::builder().display_name("Ana").build())
        .build();
}
"#,
    );
    assert!(errors.contains("error[E0277]"), "{errors}");
    assert!(
        errors.contains("`StartWebRtcContactRequest` cannot be built: the required member `ContactFlowId` is not set"),
        "{errors}"
    );
    assert!(errors.contains("`ContactFlowId` is still missing"), "{errors}");
    assert!(errors.contains("call `.contact_flow_id(...)` on the builder before `.build()`"), "{errors}");
    assert!(!errors.contains("member `InstanceId`"), "only the missing member is reported: {errors}");
}

#[test]
fn every_missing_member_of_a_nested_builder_is_named() {
    let errors = compile_errors(
        "nested",
        r#"
fn main() {
    let _details = awslim_connect::types::ParticipantDetails::builder().build();
}
"#,
    );
    assert!(errors.contains("the required member `DisplayName` is not set"), "{errors}");
    assert!(errors.contains("call `.display_name(...)`"), "{errors}");
}
