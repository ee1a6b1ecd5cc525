//! Generates the `GetThing` client of the all-shapes fixture model into `OUT_DIR`, to be
//! `include!`d in the `all_shapes` module (see `src/lib.rs`).

fn main() {
    let generated = awslim_codegen::Builder::new()
        .model("../fixtures/models/all-shapes.json")
        .operations(["GetThing"])
        .module_path("all_shapes")
        .file_name("all_shapes.rs")
        .generate();
    if let Err(e) = generated {
        // The same message the CLI prints, naming the shape and member.
        panic!("awslim: {e}");
    }
}
