//! A generated crate on disk: the options it was generated with, recorded in its manifest
//! (`awslim.json`), where it finds the runtime, and whether it belongs to a Cargo workspace.
//!
//! The CLI (`awslim generate|check`), `cargo xtask codegen` and the build-script [`Builder`]
//! all go through [`Project`], so there is one implementation of these rules.
//!
//! [`Builder`]: crate::Builder

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};

use crate::output::{self, OutputError, Status, WriteOptions};
use crate::{CrateOptions, Model, RuntimeDependency, Selection, Source};

/// The manifest file a generated crate carries: the options it was generated with.
pub const MANIFEST: &str = "awslim.json";

/// Whether the generated `Cargo.toml` gets its own `[workspace]` table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WorkspaceMode {
    /// Look for an enclosing Cargo workspace: a member of it gets no table, anything else does.
    #[default]
    Auto,
    /// Never write the table (the user adds the crate to their workspace's `members`).
    Member,
    /// Always write the table (the crate is a workspace of its own).
    Standalone,
}

impl WorkspaceMode {
    /// The name used on the command line and in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceMode::Auto => "auto",
            WorkspaceMode::Member => "member",
            WorkspaceMode::Standalone => "standalone",
        }
    }

    /// Parses [`WorkspaceMode::as_str`]'s names.
    pub fn parse(s: &str) -> Option<Self> {
        [WorkspaceMode::Auto, WorkspaceMode::Member, WorkspaceMode::Standalone].into_iter().find(|m| m.as_str() == s)
    }
}

/// Why a project could not be generated or checked.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// A model or manifest file could not be read.
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// The manifest is not what the generator writes.
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    /// The options do not say how to reach the runtime.
    #[error("{0}")]
    Options(String),
    /// The model is malformed or unsupported (each problem names its shape).
    #[error("{0}")]
    Generate(#[from] crate::Error),
    /// Writing the output failed or was refused.
    #[error("{0}")]
    Output(#[from] OutputError),
}

/// What to generate and where: everything the manifest records.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// Model files (merged). Relative paths are relative to the current directory.
    pub models: Vec<PathBuf>,
    /// Only these operations (Smithy names) and the shapes they reach; `None` for all.
    pub operations: Option<Vec<String>>,
    /// The service shape ID, when the model has several.
    pub service: Option<String>,
    /// The output directory.
    pub out: PathBuf,
    /// Package name (default `awslim-<sdkId>`).
    pub crate_name: Option<String>,
    /// How the crate depends on the runtime; `None`: a relative path to this awslim checkout's
    /// `runtime/`, which works only for a crate generated inside it.
    pub runtime: Option<RuntimeDependency>,
    /// Whether the crate gets a `[workspace]` table.
    pub workspace: WorkspaceMode,
    /// The `license` field (default [`crate::DEFAULT_LICENSE`]).
    pub license: Option<String>,
}

/// The files of a project, ready to compare or write.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The absolute output directory.
    pub out: PathBuf,
    /// Relative path -> contents, the manifest included.
    pub files: BTreeMap<String, String>,
    /// Things the user should know (e.g. how the workspace was detected).
    pub notes: Vec<String>,
    /// Number of operations generated.
    pub operations: usize,
    /// What the crate does not enforce, and why (e.g. a `@pattern` `regress` cannot compile).
    pub warnings: Vec<crate::ModelError>,
}

impl Generated {
    /// Compares with the disk.
    pub fn status(&self) -> Result<Status, ProjectError> {
        Ok(output::status(&self.out, &self.files)?)
    }

    /// Writes (see [`output::write`] for what is refused).
    pub fn write(&self, options: WriteOptions) -> Result<Status, ProjectError> {
        Ok(output::write(&self.out, &self.files, options)?)
    }
}

/// The awslim checkout this generator was built from (holds `runtime/`).
pub fn awslim_root() -> PathBuf {
    let codegen = Path::new(env!("CARGO_MANIFEST_DIR"));
    codegen.parent().unwrap_or(codegen).to_path_buf()
}

impl Project {
    /// Reads the options recorded in `out/awslim.json`.
    pub fn from_manifest(out: &Path) -> Result<Project, ProjectError> {
        let out = absolute(out);
        let path = out.join(MANIFEST);
        let text = fs::read_to_string(&path).map_err(|source| ProjectError::Read { path: path.clone(), source })?;
        let bad = |message: String| ProjectError::Manifest { path: path.clone(), message };
        let v: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let strings = |key: &str| -> Result<Option<Vec<String>>, ProjectError> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| bad(format!("`{key}` must list strings"))))
                    .collect::<Result<_, _>>()
                    .map(Some),
                Some(_) => Err(bad(format!("`{key}` must be an array of strings"))),
            }
        };
        let string = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let models = strings("models")?.ok_or_else(|| bad("`models` is missing".into()))?;
        let workspace = string("workspace").unwrap_or_else(|| "auto".into());
        Ok(Project {
            models: models.iter().map(|m| normalize(&out.join(m))).collect(),
            operations: strings("operations")?,
            service: string("service"),
            out: out.clone(),
            crate_name: string("crate_name"),
            runtime: Some(match runtime_from_json(v.get("runtime")) {
                // Recorded relative to the crate; made relative to it again when generating.
                Some(RuntimeDependency::Path(p)) => {
                    RuntimeDependency::Path(normalize(&out.join(p)).to_string_lossy().into_owned())
                }
                Some(other) => other,
                None => return Err(bad("`runtime` must be {\"path\"}, {\"git\", \"rev\"} or {\"version\"}".into())),
            }),
            workspace: WorkspaceMode::parse(&workspace)
                .ok_or_else(|| bad(format!("unknown workspace mode `{workspace}`")))?,
            license: string("license"),
        })
    }

    /// Loads the models and produces every file (manifest included); writes nothing.
    /// `progress` receives a line before each long step.
    pub fn generate(&self, progress: &dyn Fn(&str)) -> Result<Generated, ProjectError> {
        let out = absolute(&self.out);
        progress(&format!("reading {} model file(s)", self.models.len()));
        let model = load_models(&self.models)?;
        let selection = Selection { service: self.service.clone(), operations: self.operations.clone() };
        let krate = crate::ir::lower(&model, &selection).map_err(crate::Error::from)?;
        let package = match &self.crate_name {
            Some(n) => n.clone(),
            None => crate::naming::package_name(&krate.service.sdk_id),
        };
        if package.is_empty() || !package.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(ProjectError::Options(format!(
                "`{package}` is not a valid package name (letters, digits, `-` and `_` only; set one with --crate-name)"
            )));
        }
        let runtime = self.runtime_for(&out)?;
        let mut notes = Vec::new();
        let standalone = match self.workspace {
            WorkspaceMode::Member => false,
            WorkspaceMode::Standalone => true,
            WorkspaceMode::Auto => detect_standalone(&out, &mut notes),
        };
        let options = CrateOptions {
            package_name: package,
            runtime: runtime.clone(),
            standalone,
            license: self.license.clone().unwrap_or_else(|| crate::DEFAULT_LICENSE.into()),
            doc_examples: true,
        };
        progress(&format!("generating {} operation(s) into {}", krate.operations.len(), out.display()));
        let mut files = crate::emit::files(&krate, &options).map_err(crate::Error::from)?;
        files.insert(MANIFEST.to_owned(), self.manifest(&out, &runtime, &options));
        Ok(Generated { out, files, notes, operations: krate.operations.len(), warnings: krate.warnings })
    }

    /// The dependency on the runtime, relative paths made relative to `out`.
    fn runtime_for(&self, out: &Path) -> Result<RuntimeDependency, ProjectError> {
        match &self.runtime {
            Some(RuntimeDependency::Path(p)) => {
                let target = absolute(Path::new(p));
                Ok(RuntimeDependency::Path(relative_to(out, &target).unwrap_or_else(|| p.clone())))
            }
            Some(other) => Ok(other.clone()),
            None => {
                let root = awslim_root();
                if !out.starts_with(&root) {
                    return Err(ProjectError::Options(format!(
                        "{} is outside the awslim checkout ({}): say how the crate finds awslim-runtime with \
                         --runtime-path PATH, --runtime-git URL --runtime-rev REV, or --runtime-version VERSION",
                        out.display(),
                        root.display()
                    )));
                }
                let rel = relative_to(out, &root.join("runtime")).unwrap_or_else(|| "runtime".into());
                Ok(RuntimeDependency::Path(rel))
            }
        }
    }

    /// The manifest: the options, with paths relative to the crate, and the command that
    /// regenerates the crate from its own directory.
    fn manifest(&self, out: &Path, runtime: &RuntimeDependency, options: &CrateOptions) -> String {
        let models: Vec<String> = self
            .models
            .iter()
            .map(|m| relative_to(out, &absolute(m)).unwrap_or_else(|| m.display().to_string()))
            .collect();
        let v = json!({
            "_generated": format!("{} DO NOT EDIT: regenerate with `awslim generate --out .` from this directory.", output::MARKER),
            "models": models,
            "operations": self.operations,
            "service": self.service,
            "crate_name": options.package_name,
            "runtime": runtime_to_json(runtime),
            "workspace": self.workspace.as_str(),
            "license": options.license,
        });
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn runtime_to_json(r: &RuntimeDependency) -> Value {
    match r {
        RuntimeDependency::Path(p) => json!({ "path": p }),
        RuntimeDependency::Git { url, rev } => json!({ "git": url, "rev": rev }),
        RuntimeDependency::Version(v) => json!({ "version": v }),
    }
}

fn runtime_from_json(v: Option<&Value>) -> Option<RuntimeDependency> {
    let s = |k: &str| v?.get(k)?.as_str().map(str::to_owned);
    if let Some(p) = s("path") {
        return Some(RuntimeDependency::Path(p));
    }
    if let (Some(url), Some(rev)) = (s("git"), s("rev")) {
        return Some(RuntimeDependency::Git { url, rev });
    }
    s("version").map(RuntimeDependency::Version)
}

/// Reads and merges model files.
pub fn load_models(paths: &[PathBuf]) -> Result<Model, ProjectError> {
    let mut texts = Vec::new();
    for p in paths {
        let text = fs::read_to_string(p).map_err(|source| ProjectError::Read { path: p.clone(), source })?;
        texts.push((p.display().to_string(), text));
    }
    let sources: Vec<Source<'_>> = texts.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    // Shapes are checked when generating, and only those the selection reaches.
    Model::parse(&sources).map_err(|e| ProjectError::Generate(e.into()))
}

/// Reads a model given as a file path or as `REV:path` from git (`HEAD:model/connect.json`;
/// an existing file wins).
pub fn read_model_spec(spec: &str) -> Result<String, ProjectError> {
    let read_err = |message: String| ProjectError::Read { path: spec.into(), source: std::io::Error::other(message) };
    match parse_spec(spec) {
        ModelSpec::File(path) => {
            fs::read_to_string(path).map_err(|source| ProjectError::Read { path: path.into(), source })
        }
        ModelSpec::Git { rev, path } => {
            let out = std::process::Command::new("git")
                .arg("show")
                .arg(format!("{rev}:{path}"))
                .output()
                .map_err(|e| read_err(format!("cannot run `git show`: {e}")))?;
            if !out.status.success() {
                return Err(read_err(format!("`git show` failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
            }
            String::from_utf8(out.stdout).map_err(|_| read_err("`git show` output is not UTF-8".into()))
        }
    }
}

/// Where a model comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum ModelSpec<'a> {
    /// A file.
    File(&'a str),
    /// `git show REV:path`.
    Git { rev: &'a str, path: &'a str },
}

/// An existing file wins; otherwise `REV:path` means git.
pub fn parse_spec(spec: &str) -> ModelSpec<'_> {
    if Path::new(spec).exists() {
        return ModelSpec::File(spec);
    }
    match spec.split_once(':') {
        Some((rev, path)) if !rev.is_empty() && !path.is_empty() => ModelSpec::Git { rev, path },
        _ => ModelSpec::File(spec),
    }
}

/// Whether a crate at `out` needs its own `[workspace]` table: yes unless an enclosing
/// workspace lists it among its members. Explains what it found in `notes`.
fn detect_standalone(out: &Path, notes: &mut Vec<String>) -> bool {
    let Some((root, members)) = enclosing_workspace(out) else { return true };
    let rel = out.strip_prefix(&root).unwrap_or(out).to_string_lossy().replace('\\', "/");
    if members.iter().any(|m| glob_match(m.trim_end_matches('/'), &rel)) {
        return false;
    }
    notes.push(format!(
        "{} is inside the Cargo workspace {} but not among its members, so it gets its own [workspace] table; \
         to make it a member add \"{rel}\" to `members` there and pass --workspace member",
        out.display(),
        root.join("Cargo.toml").display()
    ));
    true
}

/// The nearest directory above `out` whose `Cargo.toml` has a `[workspace]` table, and the
/// entries of its `members` array.
pub fn enclosing_workspace(out: &Path) -> Option<(PathBuf, Vec<String>)> {
    let mut dir = out.parent();
    while let Some(d) = dir {
        if let Ok(text) = fs::read_to_string(d.join("Cargo.toml")) {
            if text.lines().any(|l| l.trim() == "[workspace]") {
                return Some((d.to_path_buf(), workspace_members(&text)));
            }
        }
        dir = d.parent();
    }
    None
}

/// The strings of `members = [...]` in the `[workspace]` table (the common TOML layouts: the
/// array on one or several lines, `#` comments).
fn workspace_members(manifest: &str) -> Vec<String> {
    let mut in_workspace = false;
    let mut collecting = false;
    let mut members = Vec::new();
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') && !collecting {
            in_workspace = line == "[workspace]";
            continue;
        }
        let rest = if collecting {
            line
        } else if let Some(r) = line.strip_prefix("members").map(str::trim_start).and_then(|r| r.strip_prefix('=')) {
            if !in_workspace {
                continue;
            }
            collecting = true;
            r
        } else {
            continue;
        };
        members.extend(rest.split('"').skip(1).step_by(2).map(str::to_owned));
        if rest.contains(']') {
            collecting = false;
        }
    }
    members
}

/// `*` matches within one path segment (what Cargo's `members` globs mostly use).
fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    p.len() == s.len() && p.iter().zip(&s).all(|(p, s)| segment_match(p, s))
}

fn segment_match(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((head, tail)) => {
            s.starts_with(head)
                && (0..=s.len() - head.len())
                    .any(|i| s.is_char_boundary(head.len() + i) && segment_match(tail, &s[head.len() + i..]))
        }
    }
}

/// `p` made absolute (against the current directory) and normalised without touching the disk.
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(p))
    }
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The relative path from directory `from` to `to` (both absolute), `/`-separated; `None` when
/// they share no root (different Windows drives).
pub fn relative_to(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<_> = from.components().collect();
    let to_c: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to_c).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(to_c[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse_spec("HEAD:model/connect.json"), ModelSpec::Git { rev: "HEAD", path: "model/connect.json" });
        assert_eq!(parse_spec("HEAD~3:./m.json"), ModelSpec::Git { rev: "HEAD~3", path: "./m.json" });
        assert_eq!(parse_spec("model/x.json"), ModelSpec::File("model/x.json"));
        assert_eq!(parse_spec(":x"), ModelSpec::File(":x"));
        assert_eq!(parse_spec(env!("CARGO_MANIFEST_DIR")), ModelSpec::File(env!("CARGO_MANIFEST_DIR")));
    }

    #[test]
    fn members_and_globs() {
        let m = workspace_members(
            "[package]\nmembers = [\"no\"]\n[workspace]\nresolver = \"2\"\nmembers = [\n  \"a\", # one\n  \"crates/*\",\n]\n[x]\n",
        );
        assert_eq!(m, vec!["a", "crates/*"]);
        assert_eq!(workspace_members("[workspace]\nmembers = [\"x\", \"y/z\"]\n"), vec!["x", "y/z"]);
        assert!(glob_match("crates/*", "crates/connect"));
        assert!(glob_match("crates/aws-*", "crates/aws-connect"));
        assert!(!glob_match("crates/*", "crates/a/b"));
        assert!(!glob_match("a", "ab"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_to(Path::new("/a/b/c"), Path::new("/a/runtime")).unwrap(), "../../runtime");
        assert_eq!(relative_to(Path::new("/a"), Path::new("/a")).unwrap(), ".");
        assert_eq!(relative_to(Path::new("/tmp/x"), Path::new("/work/r")).unwrap(), "../../work/r");
    }

    #[test]
    fn workspace_detection() {
        let dir = std::env::temp_dir().join(format!("awslim-ws-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("crates")).unwrap();
        fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = [\"crates/*\"]\n").unwrap();
        let mut notes = Vec::new();
        assert!(!detect_standalone(&dir.join("crates/connect"), &mut notes));
        assert!(notes.is_empty());
        assert!(detect_standalone(&dir.join("other/connect"), &mut notes));
        assert!(notes[0].contains("\"other/connect\""), "{notes:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
