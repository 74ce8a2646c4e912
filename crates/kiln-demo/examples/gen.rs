//! Writes a TICKIT lake: `cargo run -p kiln-demo --example gen -- <lake_dir> <scale>`.

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(scale)) = (args.next(), args.next()) else {
        return Err("usage: gen <lake_dir> <scale>   (e.g. gen projects/tickit/lake 0.1)".into());
    };
    let scale: f64 = scale
        .parse()
        .map_err(|e| format!("scale {scale:?} is not a number ({e}); pass e.g. 0.1 or 1"))?;
    let started = Instant::now();
    let tables = kiln_demo::generate_tickit(&PathBuf::from(dir), scale)?;
    for t in &tables {
        println!("{:<9} {:>10} rows  {}", t.table, t.rows, t.path.display());
    }
    println!("generated in {:.2?}", started.elapsed());
    Ok(())
}
