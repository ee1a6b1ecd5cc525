//! Generation time against model size, for the inputs that used to be quadratic or worse.
//!
//! ```sh
//! cargo run --release -p awslim-codegen --example scaling            # sizes 1k 2k 4k 8k
//! cargo run --release -p awslim-codegen --example scaling -- 500 1000  # other sizes
//! ```
//!
//! Each case builds a synthetic model whose size grows with `n` and times loading plus
//! generating the whole crate. Linear growth shows as a ratio near 2 between successive
//! doublings (absolute times drift on a shared machine; the ratios are what to read).

use std::time::Instant;

use awslim_codegen::{CrateOptions, Model, Selection, Source};

const SERVICE: &str = r#""ex.s#Svc":{"type":"service","version":"1","operations":[{"target":"ex.s#Op"}],
  "traits":{"aws.protocols#restJson1":{},"aws.api#service":{"sdkId":"Scale"},"aws.auth#sigv4":{"name":"scale"}}},
"ex.s#Op":{"type":"operation","input":{"target":"ex.s#S0"},"traits":{"smithy.api#http":{"method":"POST","uri":"/"}}}"#;

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// `n` structures in a chain S0 -> S1 -> ... through required members; the last has a
/// constrained string, so every link needs validation.
fn chain(n: usize) -> String {
    let mut shapes = vec![SERVICE.to_owned()];
    for i in 0..n {
        let member = if i + 1 < n {
            format!(r#""next":{{"target":"ex.s#S{}","traits":{{"smithy.api#required":{{}}}}}}"#, i + 1)
        } else {
            r#""last":{"target":"smithy.api#String","traits":{"smithy.api#length":{"max":3}}}"#.to_owned()
        };
        shapes.push(format!(r#""ex.s#S{i}":{{"type":"structure","members":{{{member}}}}}"#));
    }
    format!(r#"{{"smithy":"2.0","shapes":{{{}}}}}"#, shapes.join(","))
}

/// One input structure documented with `doc`.
fn documented(doc: &str) -> String {
    format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"ex.s#S0":{{"type":"structure","members":{{}},"traits":{{"smithy.api#documentation":{}}}}}}}}}"#,
        json_string(doc)
    )
}

/// One input string member constrained by `pattern`.
fn patterned(pattern: &str) -> String {
    format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"ex.s#S0":{{"type":"structure","members":{{"p":{{"target":"ex.s#P"}}}}}},"ex.s#P":{{"type":"string","traits":{{"smithy.api#pattern":{}}}}}}}}}"#,
        json_string(pattern)
    )
}

fn time(text: &str) -> f64 {
    let started = Instant::now();
    let model = Model::parse(&[Source { name: "scaling", text }]).unwrap_or_else(|e| panic!("{e}"));
    let mut options = CrateOptions::new("scale", awslim_codegen::RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    let files = awslim_codegen::generate(&model, &Selection::default(), &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(files.contains_key("src/types.rs"));
    started.elapsed().as_secs_f64()
}

type Case = (&'static str, fn(usize) -> String);

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1000, 2000, 4000, 8000] } else { sizes };
    let cases: [Case; 5] = [
        ("structure chain (n shapes)", chain),
        ("nested <ul><li> doc (n*64 B)", |n| "<ul><li>".repeat(n * 8) + "x"),
        ("<p>a</p> doc (n*64 B)", |n| "<p>a</p>".repeat(n * 8)),
        ("`<<<<` and `&&&&` doc (n*64 B)", |n| "<&".repeat(n * 32)),
        ("@pattern (n*2 B)", |n| "a?".repeat(n)),
    ];
    for (name, make) in cases {
        let mut previous: Option<f64> = None;
        let mut line = format!("{name:<34}");
        for &n in &sizes {
            let text = match name {
                "structure chain (n shapes)" => make(n),
                "@pattern (n*2 B)" => patterned(&make(n)),
                _ => documented(&make(n)),
            };
            let secs = time(&text);
            let ratio = previous.map_or(String::new(), |p| format!(" (x{:.1})", secs / p.max(1e-9)));
            line.push_str(&format!("  n={n}: {:.3}s{ratio}", secs));
            previous = Some(secs);
        }
        println!("{line}");
    }
}
