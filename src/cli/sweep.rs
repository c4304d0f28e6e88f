//! `simbench sweep`, `simbench plan` and `simbench merge`: capacity studies
//! (docs/capacity.md). The work is in the library (`simbench::sweep`,
//! `simbench::report::sweep`); this module reads arguments, shows progress
//! and writes files.

use super::Failure;
use super::guards::{self, GuardArgs};
use super::numbers::{positive, whole};
use super::output::outln;
use anyhow::anyhow;
use clap::Args;
use simbench::report::files;
use simbench::report::sweep::{self as out, Header, SweepFile};
use simbench::scenario::{self, Slo, parse_threshold};
use simbench::sweep::plan::{self, Goal, PlanSpec, Status};
use simbench::sweep::{self, FieldPath, Shard, ShardSpec, Study, SweepError, plain};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (JSON; see docs/scenario.md).
    file: PathBuf,

    /// PATH=VALUES: a scenario field and its values: a list (1,2,4), a range
    /// (100..2000:100) or a geometric range (1..1024:x2). Repeat for a grid;
    /// a single value sets the field at every point.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    sets: Vec<String>,

    /// Directory for outputs; the sweep writes to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Run only every N-th point, starting at the I-th (1-based): I/N; or
    /// auto/N, I being one more than a job array's zero-based index
    /// (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX).
    #[arg(long, value_name = "I/N|auto/N")]
    shard: Option<String>,

    /// With --shard auto/N: the environment variable holding the zero-based
    /// index (default: the first of SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX,
    /// AWS_BATCH_JOB_ARRAY_INDEX that is set).
    #[arg(long, value_name = "NAME", requires = "shard")]
    shard_index_var: Option<String>,

    /// Threads to run points on (default: one per core, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole("the number of jobs", 1u16))]
    jobs: Option<u16>,

    /// Write no charts.
    #[arg(long)]
    no_charts: bool,

    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    guards: GuardArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario file (JSON; see docs/scenario.md).
    file: PathBuf,

    /// The field to vary, e.g. classes.request.arrivals.poisson.rate.
    #[arg(long, value_name = "PATH")]
    vary: String,

    /// An SLO every strategy must meet (the SLO grammar of docs/ci.md);
    /// repeat for several. Replaces the scenario's SLOs; without it they are used.
    #[arg(long = "slo", value_name = "THRESHOLD")]
    slos: Vec<String>,

    /// Search between LO and HI (default: from the scenario's value, doubling or halving).
    #[arg(long, value_name = "LO..HI")]
    range: Option<String>,

    /// Find the largest value that meets the SLOs (the default).
    #[arg(long, conflicts_with = "minimize")]
    maximize: bool,

    /// Find the smallest value that meets the SLOs (e.g. the fewest workers).
    #[arg(long)]
    minimize: bool,

    /// Stop when the passing and failing values are this close (default: 1
    /// for an integer field, 1% of the value otherwise).
    #[arg(long, value_name = "X", allow_negative_numbers = true, value_parser = positive("the precision"))]
    precision: Option<f64>,

    /// PATH=VALUE: set a field at every probe (as for sweep).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,

    /// Directory for outputs; plan.json goes to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    guards: GuardArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard outputs: sweep.shard-I-of-N.json files, or directories holding them (searched one level deep).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,

    /// Directory for the merged sweep.json and sweep.csv (DIR/<scenario name>/).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    out: PathBuf,

    /// Write no charts.
    #[arg(long)]
    no_charts: bool,

    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Input(e.into())
}

/// Where job array engines put a task's zero-based index, in the order
/// `--shard auto/N` looks: Slurm, Kubernetes Indexed Jobs, AWS Batch.
const ARRAY_INDEX_VARS: [&str; 3] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

/// `--shard`: `I/N` as written, or `auto/N` with the index from the
/// environment (read here in src/cli: the library reads none).
fn shard(text: Option<&str>, index_var: Option<&str>, quiet: bool) -> Result<Option<Shard>, Failure> {
    let Some(text) = text else { return Ok(None) };
    let count = match ShardSpec::parse(text).map_err(input)? {
        ShardSpec::Fixed(shard) if index_var.is_none() => return Ok(Some(shard)),
        ShardSpec::Fixed(_) => {
            return Err(Failure::Input(anyhow!(
                "--shard-index-var applies to --shard auto/N only\n  hint: --shard auto/N --shard-index-var NAME"
            )));
        }
        ShardSpec::Auto { count } => count,
    };
    let names = index_var.map_or(ARRAY_INDEX_VARS.to_vec(), |name| vec![name]);
    let found = names.iter().find_map(|&name| std::env::var(name).ok().filter(|v| !v.is_empty()).map(|v| (name, v)));
    let Some((name, value)) = found else {
        return Err(Failure::Input(anyhow!(
            "--shard auto/{count}: {} set, so this process does not know its shard\n  hint: run it as a task of a job array (sbatch --array=0-{}, a Kubernetes Indexed Job, an AWS Batch array job), name the variable with --shard-index-var NAME, or give the shard as I/{count}",
            match index_var {
                Some(name) => format!("{name} is not"),
                None => format!("none of {} is", ARRAY_INDEX_VARS.join(", ")),
            },
            count - 1
        )));
    };
    let shard = Shard::from_array_index(name, &value, count).map_err(input)?;
    if !quiet {
        eprintln!("shard {}/{count} ({name}={value})", shard.index);
    }
    Ok(Some(shard))
}

/// Reads the scenario file and builds the study.
fn study(file: &Path, sets: &[String]) -> Result<(Study, String), Failure> {
    let loaded = scenario::load(file).map_err(input)?;
    let parameters = sets.iter().map(|s| sweep::parse_set(s)).collect::<Result<Vec<_>, _>>().map_err(input)?;
    let study = Study::new(&loaded.source, &loaded.file, parameters).map_err(input)?;
    Ok((study, loaded.sha256))
}

fn out_dir(out: &Path, name: &str) -> Result<PathBuf, Failure> {
    let dir = out.join(files::directory_name(name));
    files::ensure_writable_dir(&dir).map_err(|e| Failure::Input(anyhow!("cannot write to {}: {e}", dir.display())))?;
    Ok(dir)
}

/// The directories that creating `dir` would make, deepest first.
fn missing_dirs(dir: &Path) -> Vec<PathBuf> {
    dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).map(Path::to_path_buf).collect()
}

/// sweep.csv's text.
fn sweep_csv(file: &SweepFile) -> Result<String, Failure> {
    out::csv::render(file).map_err(|e| Failure::Output(anyhow!("cannot write sweep.csv: {e}")))
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    files::write_atomic(path, text.as_bytes())
        .map_err(|e| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))
}

fn with_pool<T: Send>(jobs: Option<u16>, f: impl FnOnce() -> T + Send) -> Result<T, Failure> {
    match jobs {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(usize::from(n))
                .build()
                .map_err(|e| Failure::Input(anyhow!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(f))
        }
    }
}

pub fn run_sweep(args: SweepArgs) -> Result<(), Failure> {
    let (study, sha256) = study(&args.file, &args.sets)?;
    if study.grid.is_empty() {
        return Err(Failure::Input(anyhow!(
            "nothing to sweep: every --set has one value\n  hint: give a field several values, e.g. --set machine.cores=1,2,4"
        )));
    }
    let shard = shard(args.shard.as_deref(), args.shard_index_var.as_deref(), args.quiet)?;
    let base = study.base().map_err(input)?;
    let limits = args.guards.check(&base, &study.file, 1)?;
    let indices: Vec<usize> = (0..study.len()).filter(|&i| shard.is_none_or(|s| s.owns(i))).collect();
    // Every point is checked as `run` checks a scenario, and all of them
    // together, before the output directory is made.
    sweep::check(&study, &indices, &args.guards.guards()).map_err(input)?;
    let dir = out_dir(&args.out, &base.name)?;

    let total = indices.len();
    let finished = AtomicUsize::new(0);
    let progress = Progress::new(total, args.quiet);
    let done = |i: usize| {
        let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
        progress.tick(n, &study.describe(i));
    };
    let results = with_pool(args.jobs, || sweep::run(&study, &indices, limits, &done))?.map_err(|e| match e {
        e @ SweepError::Engine { .. } => Failure::Input(anyhow!(e)),
        e => Failure::Input(anyhow!(e)),
    })?;
    progress.finish();

    let header = Header::of(&study, &sha256).map_err(input)?;
    let points: Vec<(usize, Option<sweep::PointResult>)> = indices.iter().copied().zip(results).collect();
    let file = SweepFile::new(&header, study.len(), shard, &points);
    let json = out::json::render(&file);
    let (json_name, csv_name) = match shard {
        Some(s) => (format!("sweep.shard-{}-of-{}.json", s.index, s.count), None),
        None => ("sweep.json".to_string(), Some("sweep.csv")),
    };
    write(&dir.join(&json_name), &json)?;
    let mut fits = Vec::new();
    if let Some(csv_name) = csv_name {
        // The CSV is made from sweep.json's text, as merge makes it.
        let reread =
            out::json::parse(&json).map_err(|e| Failure::Output(anyhow!("cannot read back sweep.json: {e}")))?;
        write(&dir.join(csv_name), &sweep_csv(&reread)?)?;
        if !args.no_charts {
            fits = write_charts(&dir, &reread)?;
        }
    }
    if !args.quiet {
        print_points(&file);
        if !fits.is_empty() {
            outln!("\n{}", fits.join("\n"));
        }
        let wrote = csv_name.map_or(json_name.clone(), |c| format!("{json_name} and {c}"));
        outln!("\nwrote {wrote} to {} ({} of {} points)", dir.display(), file.points.len(), total);
    }
    if guards::interrupted() || !file.missing.is_empty() {
        return Err(Failure::InterruptedKept(format!(
            "kept {} finished points of {total} in {}; the others are listed under \"missing\"",
            file.points.len(),
            dir.join(&json_name).display()
        )));
    }
    Ok(())
}

/// Writes the charts of a one-parameter sweep; returns its USL fits as lines to print.
fn write_charts(dir: &Path, file: &SweepFile) -> Result<Vec<String>, Failure> {
    let Some(data) = simbench::report::charts::sweep::data(file) else { return Ok(Vec::new()) };
    let rendered = simbench::report::charts::sweep::render(&data).map_err(|e| Failure::Output(anyhow!(e)))?;
    let mut outputs: Vec<(PathBuf, &[u8])> = Vec::new();
    for (stem, svg, png) in &rendered {
        outputs.push((dir.join(format!("{stem}.svg")), svg.as_bytes()));
        outputs.push((dir.join(format!("{stem}.png")), png));
    }
    files::write_all_atomic(&outputs)
        .map_err(|(path, e)| Failure::Output(anyhow!("cannot write {}: {e}", path.display())))?;
    let mut fits = Vec::new();
    for s in &data.series {
        if let Some(fit) = &s.usl {
            let peak = match (fit.peak_concurrency, fit.peak_throughput) {
                (Some(n), Some(x)) => format!("peak {x:.1}/s at {} = {n:.1}", data.parameter),
                _ => "no peak (κ = 0)".to_string(),
            };
            fits.push(format!(
                "USL fit {:<20} λ = {:.3}/s  σ = {:.4}  κ = {:.6}  R² = {:.4}  {peak}",
                s.strategy, fit.lambda, fit.sigma, fit.kappa, fit.r_squared
            ));
        }
    }
    Ok(fits)
}

/// One line per point and strategy.
fn print_points(file: &SweepFile) {
    outln!("{:<40} {:<20} {:>9} {:>9} {:>11}  SLOs", "point", "strategy", "p50", "p99", "throughput");
    for point in file.point_values() {
        let set: Vec<String> = point["set"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| format!("{}={}", short(k), plain(v))).collect())
            .unwrap_or_default();
        for r in point["results"].as_array().into_iter().flatten() {
            let f = &r["figures"];
            let secs = |v: &serde_json::Value| simbench::time::format_seconds(v.as_f64().unwrap_or(f64::NAN));
            outln!(
                "{:<40} {:<20} {:>9} {:>9} {:>9.1}/s  {}",
                set.join(" "),
                f["strategy"].as_str().unwrap_or(""),
                secs(&f["latency_s"]["p50"]),
                secs(&f["latency_s"]["p99"]),
                f["throughput_per_s"].as_f64().unwrap_or(f64::NAN),
                if r["slos"].as_array().is_none_or(|s| s.is_empty()) {
                    "-"
                } else if r["meets_slos"] == true {
                    "✓"
                } else {
                    "✗"
                }
            );
        }
    }
}

/// The last field of a path, for narrow columns.
fn short(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Progress on standard error: a bar with an ETA on a terminal, a line per
/// finished point otherwise, nothing with --quiet.
enum Progress {
    Quiet,
    Lines { total: usize },
    Bar(indicatif::ProgressBar),
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
        use std::io::IsTerminal;
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} points  {elapsed} elapsed, ETA {eta}  {wide_msg}",
            )
            .expect("a valid template");
            bar.set_style(style);
            Progress::Bar(bar)
        } else {
            Progress::Lines { total }
        }
    }

    fn tick(&self, n: usize, what: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Lines { total } => eprintln!("[{n}/{total}] {what}"),
            Progress::Bar(bar) => {
                bar.set_message(what.to_string());
                bar.inc(1);
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

pub fn run_plan(args: PlanArgs) -> Result<(), Failure> {
    let (mut study, _) = study(&args.file, &args.sets)?;
    if !study.grid.is_empty() {
        return Err(Failure::Input(anyhow!("plan: each --set takes one value; to sweep, use `simbench sweep`")));
    }
    let path = FieldPath::parse(&args.vary).map_err(input)?;
    if !args.slos.is_empty() {
        let slos = args
            .slos
            .iter()
            .map(|t| parse_threshold(t).map(|threshold| Slo { threshold, strategy: None, class: None }))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::Input(anyhow!("--slo: {e}")))?;
        study.slos = Some(slos);
    }
    let range =
        match &args.range {
            Some(text) => Some(plan::parse_range(text).ok_or_else(|| {
                Failure::Input(anyhow!("--range {text}: expected LO..HI with LO < HI, e.g. 10..2000"))
            })?),
            None => None,
        };
    let base = study.base().map_err(input)?;
    if base.slos.is_empty() {
        return Err(Failure::Input(anyhow!(
            "plan needs an SLO: the scenario has none\n  hint: add --slo 'latency p99 < 300ms'"
        )));
    }
    // The path must apply to the scenario (did-you-mean before any run),
    // and every argument must be right before the output directory is made.
    let mut doc = study.doc.clone();
    let current = path.get(&doc);
    path.set(&mut doc, current.clone().unwrap_or(serde_json::Value::Null)).map_err(input)?;
    let goal = if args.minimize { Goal::Minimize } else { Goal::Maximize };
    let spec = PlanSpec { path: path.clone(), range, goal, precision: args.precision };
    plan::check(&study, &spec).map_err(input)?;
    let limits = args.guards.check(&base, &study.file, 1)?;
    let created = missing_dirs(&args.out.join(files::directory_name(&base.name)));
    let dir = out_dir(&args.out, &base.name)?;
    let answers = plan::plan(&study, &spec, limits, &args.guards.guards()).map_err(|e| {
        // A search that fails (a probe refused or invalid) leaves no empty
        // directory behind.
        for dir in &created {
            let _ = std::fs::remove_dir(dir);
        }
        input(e)
    })?;

    let json = serde_json::to_string_pretty(&serde_json::json!({
        "schema": "simbench.plan/v1",
        "scenario": { "name": base.name, "file": study.file, "seed": base.seed },
        "vary": path.text,
        "goal": goal,
        "slos": base.slos.iter().map(|s| s.threshold.text.clone()).collect::<Vec<_>>(),
        "answers": answers,
    }))
    .expect("serialises")
        + "\n";
    write(&dir.join("plan.json"), &json)?;
    if !args.quiet {
        let word = if goal == Goal::Maximize { "largest" } else { "smallest" };
        let slos: Vec<String> = base.slos.iter().map(|s| s.threshold.text.clone()).collect();
        outln!("{}: the {word} {} that meets {}\n", base.name, path.text, slos.join(" and "));
        outln!(
            "{:<20} {:>12} {:>12} {:>9} {:>11} {:>7}",
            "strategy",
            "answer",
            "fails at",
            "p99",
            "throughput",
            "probes"
        );
        for a in &answers {
            let value = a.value.as_ref().map_or("none".to_string(), plain);
            let next = a.next.as_ref().map_or("-".to_string(), plain);
            let (p99, tput) = a.at_value.as_ref().map_or(("-".into(), "-".into()), |p| {
                (
                    simbench::time::format_seconds(p.figure("latency_s.p99")),
                    format!("{:.1}/s", p.figure("throughput_per_s")),
                )
            });
            let note = match a.status {
                Status::Found => "",
                Status::AllPass => "  (every value tried passes)",
                Status::NonePass => "  (no value tried passes)",
                Status::Interrupted => "  (interrupted)",
            };
            outln!("{:<20} {:>12} {:>12} {:>9} {:>11} {:>7}{note}", a.strategy, value, next, p99, tput, a.probes.len());
        }
        outln!("\nwrote {}", dir.join("plan.json").display());
    }
    if guards::interrupted() {
        return Err(Failure::Interrupted);
    }
    Ok(())
}

/// The shard files of `inputs`: files as given, directories searched one level deep.
fn shard_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let is_shard = |p: &Path| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("sweep.shard-") && n.ends_with(".json"))
    };
    let mut found = Vec::new();
    for input in inputs {
        // A file, a pipe or a device is read as a shard; a directory is searched.
        if input.exists() && !input.is_dir() {
            found.push(input.clone());
            continue;
        }
        let list = |dir: &Path| -> Vec<PathBuf> {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
            entries.sort();
            entries
        };
        if !input.is_dir() {
            return Err(Failure::Input(anyhow!("{}: no such file or directory", input.display())));
        }
        let mut here: Vec<PathBuf> = Vec::new();
        for entry in list(input) {
            if entry.is_dir() {
                here.extend(list(&entry).into_iter().filter(|p| is_shard(p)));
            } else if is_shard(&entry) {
                here.push(entry);
            }
        }
        if here.is_empty() {
            return Err(Failure::Input(anyhow!("{}: holds no sweep.shard-*.json", input.display())));
        }
        found.extend(here);
    }
    Ok(found)
}

pub fn run_merge(args: MergeArgs) -> Result<(), Failure> {
    let paths = shard_files(&args.inputs)?;
    let mut shards = Vec::with_capacity(paths.len());
    for path in &paths {
        let name = path.display().to_string();
        let text = simbench::scenario::input::read_to_string(path)
            .map_err(|e| Failure::Input(anyhow!("cannot read {name}: {e}")))?;
        let file = out::json::parse(&text).map_err(|e| Failure::Input(anyhow!("{name}: {e}")))?;
        shards.push((name, file));
    }
    let merged = out::merge(shards).map_err(input)?;
    let scenario = merged.header_value("scenario");
    let name = scenario["name"].as_str().unwrap_or("scenario").to_string();
    let dir = out_dir(&args.out, &name)?;
    let json = out::json::render(&merged);
    write(&dir.join("sweep.json"), &json)?;
    let reread = out::json::parse(&json).map_err(|e| Failure::Output(anyhow!("cannot read back sweep.json: {e}")))?;
    write(&dir.join("sweep.csv"), &sweep_csv(&reread)?)?;
    let fits = if args.no_charts { Vec::new() } else { write_charts(&dir, &reread)? };
    if !args.quiet {
        for fit in &fits {
            outln!("{fit}");
        }
        outln!(
            "merged {} files: {} of {} points; wrote sweep.json and sweep.csv to {}",
            paths.len(),
            merged.points.len(),
            merged.points_total,
            dir.display()
        );
    }
    if !merged.missing.is_empty() {
        return Err(Failure::Input(anyhow!(
            "{} points are in no shard: {:?}; sweep.json lists them under \"missing\"\n  hint: run the missing shards and merge again",
            merged.missing.len(),
            merged.missing
        )));
    }
    Ok(())
}
