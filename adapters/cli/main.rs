//! `shoot-dns`: the command line over the `shoot_dns` core. See docs/command-line.md in the
//! repository for the inputs and outputs; `shoot-dns --help` for the options.

#![forbid(unsafe_code)]

mod apply;
#[cfg(feature = "kube")]
mod controller;
mod input;
mod output;
#[cfg(feature = "rfc2136")]
mod rfc2136;
mod shoot;
mod state;

/// A plan of a big cluster makes millions of small allocations; mimalloc (built without
/// transparent huge pages, see Cargo.toml) serves them faster than glibc's malloc: 3.7 s
/// instead of 5–6 s for the README's world of 100,000 Services. The library leaves the choice
/// of allocator to whoever embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use shoot_dns::config::ManagerConfiguration;
use shoot_dns::{Class, Plan, Ttl, World};

/// Gardener's shoot DNS management, offline: from annotated Services, Ingresses and DNSEntries
/// to the DNS records they ask for.
#[derive(Debug, Parser)]
#[command(name = "shoot-dns", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute entries, provider choice, records and changes from manifests; touch nothing.
    Plan(PlanArgs),
    /// The same, then execute the changes and write the new state.
    Apply(PlanArgs),
    /// The shoot-dns-service extension: admission and the DNSProviders it deploys.
    #[command(subcommand)]
    Shoot(ShootCommand),
    /// The CustomResourceDefinitions of DNSEntry, DNSProvider, DNSAnnotation and
    /// DNSHostedZonePolicy, as YAML.
    Crds,
    /// Run the controllers against a cluster until SIGTERM or SIGINT: annotated sources give
    /// DNSEntries, entries get their records through their provider, statuses are written.
    #[cfg(feature = "kube")]
    Controller(ControllerArgs),
}

/// The options `plan`, `apply` and `controller` share: the configuration and its overrides.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// YAML shaped like Gardener's DNSManagerConfiguration (`class`,
    /// `controllers.source.{sourceClass, targetClass, targetNamespace, targetNamePrefix,
    /// targetLabels, sourceClusterID, targetClusterID}`).
    #[arg(short, long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Primary class (source and target) [default: garden].
    #[arg(long, value_name = "CLASS", value_parser = parse_class)]
    class: Option<Class>,
    /// Namespace of generated entries [default: the source object's namespace].
    #[arg(long, value_name = "NS")]
    target_namespace: Option<String>,
    /// TTL for entries and providers that set none [default: 300].
    #[arg(long, value_name = "SECONDS", value_parser = parse_ttl)]
    default_ttl: Option<Ttl>,
}

#[cfg(feature = "kube")]
#[derive(Debug, Args)]
struct ControllerArgs {
    /// The cluster whose sources, DNSEntries and DNSProviders are watched [default:
    /// KUBECONFIG, else in-cluster].
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// The cluster where generated DNSEntries are written and processed [default: the same
    /// cluster].
    #[arg(long, value_name = "FILE")]
    target_kubeconfig: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    /// Watch source objects only in NS [default: all namespaces].
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// Comma list of sources, entries, providers, annotations, replication [default: all].
    #[arg(long, value_name = "LIST")]
    controllers: Option<String>,
    /// Periodic full resync: every provider's zones read again (correctness never depends on
    /// it).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = controller::parse_duration)]
    resync: std::time::Duration,
    /// One active replica out of several, through a Lease.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    leader_election: bool,
    /// Namespace of the leader election Lease.
    #[arg(long, value_name = "NS", default_value = "kube-system")]
    leader_election_namespace: String,
    /// Name of the leader election Lease.
    #[arg(long, value_name = "ID", default_value = "shoot-dns")]
    leader_election_id: String,
    /// How long a Lease not renewed stays with its holder.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = controller::parse_duration)]
    leader_election_lease_duration: std::time::Duration,
    /// How long the leader keeps leading without renewing the Lease.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = controller::parse_duration)]
    leader_election_renew_deadline: std::time::Duration,
    /// How often the Lease is renewed or tried.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = controller::parse_duration)]
    leader_election_retry_period: std::time::Duration,
    /// Address of the Prometheus metrics, `/metrics` (`0` turns them off).
    #[arg(long, value_name = "ADDR", default_value = ":8080", value_parser = controller::bind_address)]
    metrics_bind_address: controller::BindAddress,
    /// Address of `/healthz` and `/readyz` (`0` turns them off).
    #[arg(long, value_name = "ADDR", default_value = ":8081", value_parser = controller::bind_address)]
    health_probe_bind_address: controller::BindAddress,
    /// Log lines as text or JSON.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[cfg(feature = "kube")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum ShootCommand {
    /// Admission validation of a Shoot's shoot-dns-service configuration: exit 0 and no output
    /// when valid, else exit 1 and the field errors.
    Validate(ValidateArgs),
    /// The Shoot after the admission mutator (providers synced from spec.dns), as YAML.
    Mutate(ShootArgs),
    /// The DNSProviders the extension deploys in the shoot's namespace in the seed, as YAML.
    Providers(ProvidersArgs),
}

#[derive(Debug, Args)]
struct ShootArgs {
    /// A manifest file holding the Shoot (core.gardener.cloud/v1beta1).
    #[arg(value_name = "SHOOT")]
    shoot: PathBuf,
    /// More manifests: Secrets, WorkloadIdentities, the `<shoot>-external` DNSRecord, existing
    /// DNSProviders of the seed namespace.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    #[command(flatten)]
    shoot: ShootArgs,
    /// The Shoot before the update (secrets are checked only when the DNSConfig changed).
    #[arg(long, value_name = "FILE")]
    old: Option<PathBuf>,
    /// Output format of the errors: one `<field>: <message>` line each, or a JSON list.
    #[arg(short, long, value_enum, default_value_t = ErrorFormat::Text)]
    output: ErrorFormat,
    /// Skip the check of Secret contents (Gardener's DISABLE_SECRET_VALIDATION=true).
    #[arg(long)]
    disable_secret_validation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ErrorFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct ProvidersArgs {
    #[command(flatten)]
    shoot: ShootArgs,
    /// Entries quota of the `external` provider (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    default_external_provider_entries_quota: i64,
    /// Highest quota a shoot may annotate (0: the default quota).
    #[arg(long, value_name = "N", default_value_t = 0)]
    default_external_provider_entries_quota_max: i64,
    /// Replicate shoot DNSProviders into the seed when the DNSConfig does not say.
    #[arg(long)]
    replicate_dns_providers: bool,
    /// The shoot's namespace in the seed [default: shoot--<project>--<name>].
    #[arg(long, value_name = "NS")]
    seed_namespace: Option<String>,
}

#[derive(Debug, Args)]
struct PlanArgs {
    /// Manifest files or directories (read recursively: *.yaml, *.yml, *.json in sorted order),
    /// or `-` for standard input.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    output: Format,
    /// Hosted zones per provider (YAML: `providers: [{provider: ns/name, zones: [{id, domain,
    /// private}]}]`).
    #[arg(long, value_name = "FILE")]
    zones: Option<PathBuf>,
    /// State of an earlier `apply`; `apply` writes it back atomically [plan: none; apply:
    /// shoot-dns.state.json].
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// `plan` only: read the zones of the providers whose servers this build reaches
    /// (`rfc2136`, `aws-route53`) before planning, changing nothing (`apply` always does).
    #[arg(long)]
    live: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Yaml,
    Json,
}

fn parse_class(value: &str) -> Result<Class, String> {
    value
        .parse()
        .map_err(|e: shoot_dns::class::ClassError| e.to_string())
}

fn parse_ttl(value: &str) -> Result<Ttl, String> {
    let seconds: i64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number of seconds"))?;
    Ttl::new(seconds).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Plan(args) => run(args, false),
        Command::Apply(args) => run(args, true),
        Command::Shoot(ShootCommand::Validate(args)) => shoot::validate(
            &args.shoot.shoot,
            &args.shoot.files,
            args.old.as_deref(),
            args.output == ErrorFormat::Json,
            args.disable_secret_validation,
        ),
        Command::Shoot(ShootCommand::Mutate(args)) => shoot::mutate(&args.shoot),
        Command::Shoot(ShootCommand::Providers(args)) => shoot::providers(
            &args.shoot.shoot,
            &args.shoot.files,
            &shoot::ProviderOptions {
                quota: args.default_external_provider_entries_quota,
                quota_max: args.default_external_provider_entries_quota_max,
                replicate: args.replicate_dns_providers,
                seed_namespace: args.seed_namespace.clone(),
            },
        ),
        Command::Crds => {
            print!("{}", shoot_dns::crd::to_yaml());
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "kube")]
        Command::Controller(args) => controller_command(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("shoot-dns: {message}");
            ExitCode::from(1)
        }
    }
}

/// The configuration the options give: the file, with the flags over it (a flag's default
/// never overrides the file; docs/command-line.md).
fn resolve_config(args: &ConfigArgs) -> Result<shoot_dns::Config, String> {
    let mut raw = match &args.config {
        Some(path) => {
            let text =
                input::read_file_text(path).map_err(|e| format!("{e} (the configuration)"))?;
            serde_yaml_ng::from_str::<ManagerConfiguration>(&text)
                .map_err(|e| format!("{}: not a DNSManagerConfiguration: {e}", path.display()))?
        }
        None => ManagerConfiguration::default(),
    };
    if let Some(class) = &args.class {
        raw.class = Some(class.to_string());
    } else if raw.class.is_none() {
        raw.class = Some(Class::GARDEN.to_owned());
    }
    if let Some(ns) = &args.target_namespace {
        raw.controllers.source.target_namespace = Some(ns.clone());
    }
    if let Some(ttl) = args.default_ttl {
        raw.default_ttl = Some(i64::from(ttl.seconds()));
    }
    raw.resolve()
        .map_err(|e| format!("invalid configuration: {e}"))
}

#[cfg(feature = "kube")]
fn controller_command(args: &ControllerArgs) -> Result<ExitCode, String> {
    let config = resolve_config(&args.config)?;
    let controllers = match &args.controllers {
        Some(list) => list.parse()?,
        None => shoot_dns::adapters::kube::driver::Controllers::default(),
    };
    let lease = args.leader_election.then(|| {
        shoot_dns::adapters::kube::lease::LeaseSettings::new(
            &args.leader_election_namespace,
            &args.leader_election_id,
            &controller::identity(),
        )
        .durations(
            args.leader_election_lease_duration,
            args.leader_election_renew_deadline,
            args.leader_election_retry_period,
        )
    });
    controller::run(
        config,
        controller::Options {
            kubeconfig: args.kubeconfig.as_deref(),
            target_kubeconfig: args.target_kubeconfig.as_deref(),
            namespace: args.namespace.clone(),
            controllers,
            resync: args.resync,
            lease,
            log_json: args.log_format == LogFormat::Json,
            metrics_address: args.metrics_bind_address.0,
            health_address: args.health_probe_bind_address.0,
        },
    )
}

fn run(args: &PlanArgs, apply: bool) -> Result<ExitCode, String> {
    let config = resolve_config(&args.config)?;
    let state_path = match (&args.state, apply) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(PathBuf::from("shoot-dns.state.json")),
        (None, false) => None,
    };
    // The manifests and the state are read side by side: for a big cluster each takes a
    // good part of a second.
    let (world, state) = std::thread::scope(|scope| {
        let state = (state_path.as_deref()).map(|path| scope.spawn(|| state::State::read(path)));
        let mut world = World::default();
        let loaded = input::load_paths(&mut world, &args.paths).map(|()| world);
        let state = state.map(|reading| {
            reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (loaded, state.transpose())
    });
    let mut world = world?;
    let state = state?;
    if let Some(path) = &args.zones {
        world.observed.hosted_zones = input::load_zones(path, &world)?;
    }
    let mut pending = Vec::new();
    if let Some(mut state) = state {
        pending = std::mem::take(&mut state.pending);
        // The statuses of the last apply, for entries whose manifests carry none.
        for entry in &mut world.entries {
            let id = shoot_dns::plan::entry_id(entry);
            if entry.status.is_none() {
                entry.status = state.entries.get_mut(&id).and_then(|e| e.status.take());
            }
        }
        world.observed.zones = state.take_zone_records();
        world.observed.generated = state.take_generated();
        world.observed.owned = state
            .entries
            .into_iter()
            .map(|(id, entry)| (id, entry.owned))
            .collect();
    }
    let mut code = ExitCode::SUCCESS;
    let plan = if apply {
        // The objects move into the planner; the table names the ignored ones.
        let ignored = std::mem::take(&mut world.ignored);
        let applied = apply::run(
            std::mem::take(&mut world),
            &config,
            &pending,
            state_path.as_deref(),
        )?;
        world.ignored = ignored;
        if let Some(path) = &state_path {
            applied.state.write(path)?;
        }
        let failed = (applied.plan.changes.iter())
            .any(|c| !c.outcome.as_ref().is_some_and(|o| o.is_applied()));
        if failed {
            code = ExitCode::from(3);
        }
        applied.plan
    } else {
        plan_only(&mut world, &config, &pending, args.live)
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match args.output {
        Format::Json => output::json(&mut out, &plan)?,
        Format::Yaml => output::yaml(&mut out, &plan)?,
        Format::Table => output::table(&mut out, &plan, &world)?,
    }
    std::io::Write::flush(&mut out).map_err(|e| format!("cannot write the plan: {e}"))?;
    // The process ends now: freeing a big world and its plan piece by piece would only delay
    // that (a few tenths of a second for 100,000 objects); the system takes the memory back.
    std::mem::forget(plan);
    std::mem::forget(world);
    Ok(code)
}

/// The plan of `world` without executing it: the zones of `rfc2136` providers are read from
/// their servers first, and the host names the plan waits for are looked up.
fn plan_only(
    world: &mut World,
    config: &shoot_dns::Config,
    pending: &[state::PendingRecord],
    live: bool,
) -> Plan {
    #[cfg(any(feature = "rfc2136", feature = "aws-route53"))]
    if live {
        let runtime = apply::runtime();
        let (zones, problems) = apply::read_servers(&runtime, world, config);
        for problem in problems {
            eprintln!("shoot-dns: {problem}");
        }
        let confirmed = state::confirmed(pending, &zones, &world.observed.owned);
        world.observed.zones.extend(zones);
        world.observed.owned.extend(confirmed);
    }
    #[cfg(not(any(feature = "rfc2136", feature = "aws-route53")))]
    let _ = (pending, live);
    let mut plan = Plan::compute(world, config);
    if !plan.lookups.is_empty() {
        world.observed.resolved = input::resolve(&plan.lookups);
        plan = Plan::compute(world, config);
    }
    plan
}
