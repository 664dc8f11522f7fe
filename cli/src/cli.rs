//! The command line, defined once: `--help`, the man pages and the shell completions are all
//! generated from these types (see `xtask`).

use crate::output::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

mod records;
pub use records::*;

const EXIT_STATUS: &str = "\
EXIT STATUS:
  0  success
  1  failure: the command could not be done (unknown name, conflict, store or file error);
     nothing was changed
  2  usage error: unknown flag, missing argument or invalid value (a bad SIRET, lot,
     e-mail address, hostname or URL)
  3  partial failure: some hosts failed (fleet commands), some files, hosts, sites or days
     failed or wait (logs commands)

ENVIRONMENT:
  AMOE_STORE     path of the store (overridden by --store)
  AMOE_OPERATOR  operator name written to the audit journal (overridden by --operator)
  AMOE_OUTPUT    default output format: table, json or csv (overridden by --output)
  AMOE_CONFIG    configuration file (default ~/.config/amoe/config.toml)
  AMOE_CLIENT_CERT, AMOE_CLIENT_KEY  your certificate for the hosts' control API
  AMOE_HOST_TIMEOUT_MS  how long a host may take to answer a fleet command (default 10000)
  AMOE_BUSY_TIMEOUT_MS  how long to wait for another writer of the store (default 30000)
  AMOE_CA_DIR    directory of the CA: ca.pem, ca.key, crl.pem (default ~/.local/share/amoe/ca)
  NO_COLOR       when set, no colour and no box drawing

FILES:
  ~/.config/amoe/config.toml   keys: operator, store, output, ca_dir, client_cert, client_key,
                               [logs] (archive, ssh_key, ssh_user, known_hosts, keep_days) and
                               [mail] (server, port, security, sender, username, password_file);
                               unknown keys are refused
  ~/.local/share/amoe/amoe.db  the store (SQLite), unless set otherwise
  ~/.local/share/amoe/ca/      the CA (amoe ca init), unless set otherwise; ca.key is 0600

EXAMPLES:
  amoe demo                              see what amoe does, in a temporary directory
  amoe init                              create the store
  amoe beneficiary add --siret 12000101100010 --name \"Mairie\" --lot 9 --email dsi@mairie.fr
  amoe site list --output json           the sites, as JSON for a script";

/// amoe: the operations toolkit of a CDN, managed-hosting and support contractor.
///
/// amoe keeps the inventory (beneficiaries, hosts, sites) in a local SQLite store, journals
/// every change in a hash-chained audit journal, and exports everything in open formats.
#[derive(Debug, Parser)]
#[command(name = "amoe", version, propagate_version = true, after_long_help = EXIT_STATUS)]
#[command(max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path of the store [env: AMOE_STORE; default: ~/.local/share/amoe/amoe.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Operator name written to the audit journal [env: AMOE_OPERATOR; default: $USER]
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    /// Output format [env: AMOE_OUTPUT; default: table]
    #[arg(long, short = 'o', global = true, value_name = "FORMAT")]
    pub output: Option<Format>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store, or bring an existing one up to date
    #[command(
        after_long_help = "Every command brings the store's schema up to date when it opens it; `init` does it on purpose,\nafter an upgrade. It also moves into the store the ticket attachments that versions before\nschema 15 kept as files beside it (the `attachments` folder next to the store file, or under\n`store_files` for a PostgreSQL store), and names those whose file is missing or altered.\n\nEXAMPLES:\n  amoe init\n  amoe --store 'postgres://amoe@db.example.fr/amoe?sslrootcert=/etc/amoe/pg-ca.pem' init"
    )]
    Init,
    /// Beneficiaries: the public bodies, by SIRET, with their lot and contacts
    #[command(subcommand)]
    Beneficiary(BeneficiaryCmd),
    /// Hosts: the machines that run amoe-agent
    #[command(subcommand)]
    Host(HostCmd),
    /// Sites: web sites delivered through the CDN
    #[command(subcommand)]
    Site(SiteCmd),
    /// The audit journal: list it, verify its hash chain
    #[command(subcommand)]
    Audit(AuditCmd),
    /// The project's certificate authority: client certificates, revocation
    #[command(subcommand)]
    Ca(CaCmd),
    /// Purge a site's cache on every host that serves it
    #[command(after_long_help = FLUSH_HELP)]
    Flush(FlushArgs),
    /// Operations owed to hosts that did not confirm them yet
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// Access logs: statistics of files, collection from hosts, delivery to beneficiaries
    #[command(subcommand)]
    Logs(LogsCmd),
    /// People with an account: engineers and customers' reporters
    #[command(subcommand)]
    User(UserCmd),
    /// Projects tickets are filed under (an application or a set of them)
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Spaces: one isolated space per customer structure
    #[command(subcommand)]
    Space(SpaceCmd),
    /// Rights of users on projects
    #[command(subcommand)]
    Acl(AclCmd),
    /// Tickets: requests, incidents, changes, releases; their history, SLA clocks
    Ticket(TicketArgs),
    /// Quotes asked by beneficiaries: due 10 working days after the request (002 §5.4.2)
    #[command(subcommand)]
    Quote(QuoteCmd),
    /// Price schedules (BPU) of the lots
    #[command(subcommand)]
    Bpu(BpuCmd),
    /// Orders placed by beneficiaries over their lot's BPU
    #[command(subcommand)]
    Order(OrderCmd),
    /// Support contracts: daily rate, cap, VAT
    #[command(subcommand)]
    Contract(ContractCmd),
    /// Interventions counted against a contract (004 §9.3)
    #[command(subcommand)]
    Intervention(InterventionCmd),
    /// Incidents: start, detection, responsibility, measures, restoration (QS-02 to QS-05)
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Change requests and when their push took effect (QS-06)
    #[command(subcommand)]
    Change(ChangeCmd),
    /// Deploy a site's release to every host: two phases, all or nothing; switch, list, rollback
    Deploy(DeployArgs),
    /// The beneficiaries' extranet: a password-protected web site over this store
    #[command(subcommand)]
    Extranet(ExtranetCmd),
    /// Contract reports: canut, qos, monthly, interventions, weekly; a site's dossier
    #[command(subcommand)]
    Report(ReportCmd),
    /// A site's figures from the collected logs (Paris days): attendance, volume, cache, times
    #[command(
        after_long_help = "Reads the W3C files collected by `amoe logs collect` (every host of the site), so the figures\nare those of whole days, visible the day after.\n\nEXAMPLES:\n  amoe stats www --from 2026-11-01 --to 2026-11-30\n  amoe stats www --from yesterday --to yesterday --by hour --chart day.svg"
    )]
    Stats {
        /// Site
        site: String,
        /// First day (YYYY-MM-DD or `yesterday`)
        #[arg(long)]
        from: String,
        /// Last day
        #[arg(long)]
        to: String,
        /// One row per day or per hour
        #[arg(long, value_enum, default_value = "day")]
        by: StatsPeriod,
        /// How many of the most requested paths to list
        #[arg(long, default_value_t = 10, value_name = "N")]
        top: usize,
        /// Also draw the periods as a chart (SVG or PNG, by the file's extension)
        #[arg(long, value_name = "FILE.svg|FILE.png")]
        chart: Option<PathBuf>,
    },
    /// Write the whole store as JSON and CSV files, with a manifest of SHA-256 sums
    #[command(after_long_help = "EXAMPLES:\n  amoe export /srv/backup/amoe-2026-11-25")]
    Export {
        /// Directory to write; created, and must be empty if it exists
        dir: PathBuf,
    },
    /// Restore an export into a new or empty store
    #[command(after_long_help = "EXAMPLES:\n  amoe --store /tmp/restored.db import /srv/backup/amoe-2026-11-25")]
    Import {
        /// Directory written by `amoe export`
        dir: PathBuf,
    },
    /// Take a consistent copy of the store while others keep using it
    #[command(
        after_long_help = "The copy holds everything the store holds, ticket attachments included (attachments an\nearlier version kept as files beside the store are moved into it first). The extranet's key\n(STORE.extranet-key, which seals second factors) is copied beside the file, as\nFILE.extranet-key, when the store has one.\n\nEXAMPLES:\n  amoe backup /srv/backup/amoe-$(date +%F).db"
    )]
    Backup {
        /// File to write; must not exist
        file: PathBuf,
    },
    /// The store as a whole: copy it to another backend
    #[command(subcommand)]
    Store(StoreCmd),
    /// Show what amoe does, step by step, in a temporary directory
    Demo {
        /// Keep the demo's store and files in DIR instead of removing them
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
}

/// `amoe store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCmd {
    /// Copy the whole store to a new file or an empty PostgreSQL database, and check the copy
    #[command(
        after_long_help = "The copy goes through the export format: every table, row for row, audit journal and attachments\nincluded; then both stores are exported and must be identical. A target that is not empty is refused.\nThe source is not changed: point `store` in config.toml at the new one once it is made.\nThe password of a PostgreSQL target comes from a password file (passfile= or PGPASSFILE),\nnever from the URL.\n\nEXAMPLES:\n  amoe store copy --to 'postgres://amoe@db.example.fr/amoe?sslrootcert=/etc/amoe/pg-ca.pem'\n  amoe --store 'postgres://amoe@db.example.fr/amoe' store copy --to /srv/backup/amoe.db"
    )]
    Copy {
        /// The new store: a file path (new or empty) or a `postgres://USER@HOST/DATABASE` URL
        #[arg(long, value_name = "PATH|URL")]
        to: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BeneficiaryCmd {
    /// Add a beneficiary
    #[command(
        after_long_help = "EXAMPLES:\n  amoe beneficiary add --siret '120 001 011 00010' --name 'INSEE' --lot 9 \\\n      --email dsi@insee.fr --email achats@insee.fr"
    )]
    Add {
        /// SIRET: 14 digits with a valid key (spaces allowed)
        #[arg(long)]
        siret: String,
        /// Name of the body
        #[arg(long)]
        name: String,
        /// Lot of the framework agreement, 1 to 14 (1: whole territory; 2-14: one region each);
        /// leave out for a customer under another contract
        #[arg(long)]
        lot: Option<String>,
        /// Contact e-mail address (repeatable)
        #[arg(long = "email", value_name = "EMAIL")]
        emails: Vec<String>,
    },
    /// List beneficiaries
    List,
    /// Show one beneficiary
    Show { siret: String },
    /// Change a beneficiary's name, lot or contacts
    #[command(
        after_long_help = "EXAMPLES:\n  amoe beneficiary update 12000101100010 --lot 1 --add-email support@insee.fr"
    )]
    Update {
        siret: String,
        #[arg(long)]
        name: Option<String>,
        /// New lot, 1 to 14, or `none` (a customer outside the CANUT agreement)
        #[arg(long)]
        lot: Option<String>,
        /// Replace the contacts with these (repeatable)
        #[arg(long = "email", value_name = "EMAIL")]
        emails: Vec<String>,
        /// Add a contact (repeatable)
        #[arg(long = "add-email", value_name = "EMAIL")]
        add_emails: Vec<String>,
        /// Remove a contact (repeatable)
        #[arg(long = "remove-email", value_name = "EMAIL")]
        remove_emails: Vec<String>,
    },
    /// Remove a beneficiary (refused while sites belong to it)
    Remove {
        siret: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HostCmd {
    /// Ask hosts' agents for their status (all hosts, or one)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe host status\n  amoe host status --pending     what each host still owes, from the store (no network)"
    )]
    Status {
        name: Option<String>,
        /// What each host is still owed: operations, since when, the last error, parked ones
        #[arg(long)]
        pending: bool,
    },
    /// Add a host
    #[command(
        after_long_help = "EXAMPLES:\n  amoe host add pop-paris-1 --address pop-paris-1.cdn.example.net:7443 --location 'Paris TH2'"
    )]
    Add {
        /// Name: lowercase letters, digits, `-`, `_`, `.`
        name: String,
        /// Where its agent's control API listens, HOST:PORT ([::1]:7443 for IPv6)
        #[arg(long)]
        address: String,
        /// A free label: data centre, city
        #[arg(long)]
        location: Option<String>,
    },
    /// List hosts
    List,
    /// Show one host
    Show { name: String },
    /// Change a host's address or location
    Update {
        name: String,
        #[arg(long)]
        address: Option<String>,
        #[arg(long, conflicts_with = "clear_location")]
        location: Option<String>,
        /// Remove the location label
        #[arg(long)]
        clear_location: bool,
    },
    /// Remove a host (refused while sites are served by it)
    Remove {
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Issue the server certificate of a host's agent and write its bundle
    #[command(after_long_help = "Writes DIR/ca.pem, DIR/server.pem and DIR/server.key (mode 0600) for the host's \
agent. The certificate names the host and the host part of its address (a DNS name or an IP address).

EXAMPLES:
  amoe host enroll pop-paris-1
  amoe host enroll pop-paris-1 --out /tmp/pop-paris-1 --days 180")]
    Enroll {
        /// A host of the inventory
        name: String,
        /// Directory to write the bundle to [default: ./NAME-bundle]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Validity in days
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
    },
    /// Issue a new server certificate for an enrolled host
    #[command(after_long_help = "Like `enroll`, for a host that already has a certificate. The old certificate \
stays valid until it expires, so the agent can switch to the new one without downtime.

EXAMPLES:
  amoe host renew pop-paris-1 --out /tmp/pop-paris-1-renewed")]
    Renew {
        /// An enrolled host
        name: String,
        /// Directory to write the bundle to [default: ./NAME-bundle]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Validity in days
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
    },
}

/// How a site's hosts serve it (`site add` and `site update`; omitted flags keep the value).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Serving settings")]
pub struct SiteSettingsArgs {
    /// true: plain-HTTP requests are redirected to HTTPS (301; 308 for other methods than GET/HEAD)
    #[arg(long, value_name = "BOOL")]
    pub https_redirect: Option<bool>,
    /// Strict-Transport-Security max-age on HTTPS responses, in seconds (0 sends max-age=0,
    /// which tells browsers to forget it)
    #[arg(long, value_name = "SECS")]
    pub hsts_max_age: Option<u64>,
    /// true: HSTS covers subdomains (includeSubDomains)
    #[arg(long, value_name = "BOOL")]
    pub hsts_subdomains: Option<bool>,
    /// Path each origin is checked on, e.g. /health ("none": no active checks)
    #[arg(long, value_name = "PATH")]
    pub health_path: Option<String>,
    /// Seconds between two checks of an origin (at least 1)
    #[arg(long, value_name = "SECS")]
    pub health_interval: Option<u64>,
    /// Consecutive failed requests before an origin is taken out for a while (at least 1); a
    /// failed health check takes it out at once
    #[arg(long, value_name = "N")]
    pub health_failures: Option<u32>,
    /// Largest request body (K, M, G suffixes; 413 beyond)
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,
    /// Seconds stale content is served when every origin fails (0: never)
    #[arg(long, value_name = "SECS")]
    pub stale_limit: Option<u64>,
    /// How requests are spread over the origins
    #[arg(long, value_parser = ["round-robin", "least-connections"])]
    pub balance: Option<String>,
    /// false: accept any certificate from the site's HTTPS origins (self-signed, expired); warned
    /// when set and on every push, logged by the hosts, shown by `site show`
    #[arg(long, value_name = "BOOL")]
    pub origin_verify: Option<bool>,
    /// PEM file of extra CA certificates trusted for the site's HTTPS origins ("none": only the
    /// system's and the host's)
    #[arg(long, value_name = "FILE")]
    pub origin_ca: Option<PathBuf>,
    /// Name sent by SNI to the origins and verified, when the origin URL is an address or
    /// another name ("none": the URL's host)
    #[arg(long, value_name = "NAME")]
    pub origin_sni: Option<String>,
    /// true: served from its current release (`amoe deploy`), no origin needed
    #[arg(long = "static", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub static_site: Option<bool>,
    /// A static site's 404 page, a path in its release (/404.html; "none": a plain 404)
    #[arg(long, value_name = "PATH")]
    pub not_found_page: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CertCmd {
    /// The certificate each host serves, per site: names, issuer, expiry
    List {
        /// Only this site
        name: Option<String>,
    },
    /// Order again, from ACME, the certificates that expire soon (for cron)
    #[command(after_long_help = "Every site whose certificate comes from ACME (`amoe site cert SITE --acme`) and \
expires within --within, no longer covers the site's domains, or was never issued (an order that failed) is \
ordered again. Exit 0 when every site due was renewed, 3 when some failed, 1 when all failed.

EXAMPLES:
  amoe site cert renew
  amoe site cert renew --within 10d www-mairie
  # crontab: every day at 04:17
  17 4 * * * amoe site cert renew -o json >> /var/log/amoe/renew.log")]
    Renew {
        /// Only this site
        name: Option<String>,
        /// Renew what expires within this time (`30d`, `12h`)
        #[arg(long, value_name = "DURATION", default_value = "30d")]
        within: String,
        /// Extra CA certificates (PEM) trusted for the ACME server's own HTTPS (env `AMOE_ACME_CA`)
        #[arg(long, value_name = "FILE")]
        acme_ca: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCmd {
    /// Send the site's configuration (domains, origins, rules, activation) to its hosts
    Push {
        name: String,
        /// Show what would be sent, change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Serve the site through the cache again, on every host
    Activate {
        name: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Pass the site through to its origin without caching, on every host
    Deactivate {
        name: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Validate a rules file, keep it as the site's new rules version and push it; show or roll
    /// back the kept versions
    #[command(
        after_long_help = "EXAMPLES:\n  amoe site rules www-mairie --file rules.toml\n  amoe site rules www-mairie --file rules.toml --dry-run   validate only\n  amoe site rules www-mairie --show                        the rules in force (-o json: every version)\n  amoe site rules www-mairie --rollback                    the previous version again, pushed\n\nThe format is in docs/rules.md; schema: schemas/site-rules.schema.json. The audit entry records the\nSHA-256 of the rules pushed."
    )]
    Rules {
        name: String,
        /// The rules file (TOML)
        #[arg(long, value_name = "FILE", required_unless_present_any = ["show", "rollback"])]
        file: Option<PathBuf>,
        /// Validate and show, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Print the rules in force (with -o json, every kept version)
        #[arg(long, conflicts_with_all = ["file", "rollback", "dry_run"])]
        show: bool,
        /// Keep the previous version as the newest and push it
        #[arg(long, conflicts_with = "file")]
        rollback: bool,
    },
    /// Install a site's HTTPS certificate on its hosts, or list what they serve
    #[command(
        args_conflicts_with_subcommands = true,
        after_long_help = "The chain and key are checked first (the key belongs to the certificate, every domain of \
the site is covered, it is valid now; a warning under 30 days). The key is kept in CA_DIR/sites/SITE/ (0600, like \
the CA key), never in the store, and sent to each host over mutual TLS; hosts serve it by SNI from their next \
handshake.

With --acme the certificate is ordered from an ACME server (RFC 8555, HTTP-01): each challenge is placed on \
every host of the site, which answer /.well-known/acme-challenge/ on port 80 before rules and cache; a host that \
cannot take it fails the order, naming it, and nothing changes. The new key is made on this machine and kept like \
an uploaded one; the ACME account key is kept in CA_DIR/acme/ (0600). `amoe site cert renew` orders again what \
expires soon.

EXAMPLES:
  amoe site cert www-mairie --cert fullchain.pem --key privkey.pem
  amoe site cert www-mairie --acme --email exploitation@example.fr
  amoe site cert renew --within 30d
  amoe site cert list
  amoe site cert list www-mairie -o json"
    )]
    Cert {
        #[command(subcommand)]
        list: Option<CertCmd>,
        /// The site
        name: Option<String>,
        /// PEM chain, the site's certificate first
        #[arg(long, value_name = "FULLCHAIN.pem", requires = "key")]
        cert: Option<PathBuf>,
        /// PEM private key
        #[arg(long, value_name = "KEY.pem", requires = "cert")]
        key: Option<PathBuf>,
        /// Order the certificate from an ACME server (HTTP-01, answered by the site's hosts)
        #[arg(long, conflicts_with_all = ["cert", "key", "dry_run"])]
        acme: bool,
        /// The ACME directory (default: Let's Encrypt's production directory)
        #[arg(long, value_name = "URL", requires = "acme")]
        directory: Option<String>,
        /// Contact address for the ACME account
        #[arg(long, value_name = "EMAIL", requires = "acme")]
        email: Option<String>,
        /// Extra CA certificates (PEM) trusted for the ACME server's own HTTPS (env `AMOE_ACME_CA`)
        #[arg(long, value_name = "FILE", requires = "acme")]
        acme_ca: Option<PathBuf>,
        /// Check and show, change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Which rule applies to a URL, and why
    #[command(
        after_long_help = "EXAMPLES:\n  amoe site explain www-mairie https://www.mairie.fr/static/logo.png --content-type image/png"
    )]
    Explain {
        name: String,
        /// A URL or a path
        url: String,
        /// The response's content type, for content-type and group rules
        #[arg(long, value_name = "TYPE")]
        content_type: Option<String>,
    },
    /// Add a site
    #[command(
        after_long_help = "EXAMPLES:\n  amoe site add www-mairie --domain www.mairie.fr --domain mairie.fr \\\n      --beneficiary 12000101100010 --origin https://origin.mairie.fr --host pop-paris-1"
    )]
    Add {
        /// Name: lowercase letters, digits, `-`, `_`, `.`
        name: String,
        /// Hostname it answers for (repeatable, at least one); each belongs to one site only
        #[arg(long = "domain", value_name = "DOMAIN", required = true)]
        domains: Vec<String>,
        /// SIRET of the beneficiary it belongs to
        #[arg(long)]
        beneficiary: String,
        /// Origin URL, http or https (repeatable; at least one unless the site is --static)
        #[arg(long = "origin", value_name = "URL", required_unless_present = "static_site")]
        origins: Vec<String>,
        /// permanent, ephemeral or recurring
        #[arg(long, default_value = "permanent")]
        category: String,
        /// Host that serves it (repeatable)
        #[arg(long = "host", value_name = "HOST")]
        hosts: Vec<String>,
        /// Add it deactivated (passed through to its origin without caching)
        #[arg(long)]
        inactive: bool,
        /// Record and queue only: the hosts get it with `amoe outbox run` or `amoe site push`
        #[arg(long)]
        no_push: bool,
        #[command(flatten)]
        settings: Box<SiteSettingsArgs>,
    },
    /// List sites
    List {
        /// Only the sites of this beneficiary (SIRET)
        #[arg(long)]
        beneficiary: Option<String>,
        /// Only the sites served by this host
        #[arg(long)]
        host: Option<String>,
    },
    /// Show one site
    Show { name: String },
    /// Change a site
    #[command(
        after_long_help = "EXAMPLES:\n  amoe site update www-mairie --add-domain m.mairie.fr --add-host pop-lyon-1\n  amoe site update www-mairie --active false\n  amoe site update www-mairie --https-redirect true --hsts-max-age 31536000\n  amoe site update www-mairie --health-path /health --health-interval 5 --max-body 10M\n\nThe change reaches the site's hosts at once (exit 3 when some did not confirm; `amoe outbox run` retries);\n`--no-push` only records and queues it."
    )]
    Update {
        name: String,
        #[arg(long = "add-domain", value_name = "DOMAIN")]
        add_domains: Vec<String>,
        #[arg(long = "remove-domain", value_name = "DOMAIN")]
        remove_domains: Vec<String>,
        #[arg(long = "add-origin", value_name = "URL")]
        add_origins: Vec<String>,
        #[arg(long = "remove-origin", value_name = "URL")]
        remove_origins: Vec<String>,
        #[arg(long = "add-host", value_name = "HOST")]
        add_hosts: Vec<String>,
        #[arg(long = "remove-host", value_name = "HOST")]
        remove_hosts: Vec<String>,
        #[arg(long)]
        category: Option<String>,
        /// Move the site to another beneficiary (SIRET)
        #[arg(long)]
        beneficiary: Option<String>,
        /// true to serve it through the cache, false to pass it through to its origin
        #[arg(long, value_name = "BOOL")]
        active: Option<bool>,
        /// Record and queue only: the hosts get it with `amoe outbox run` or `amoe site push`
        #[arg(long)]
        no_push: bool,
        #[command(flatten)]
        settings: Box<SiteSettingsArgs>,
    },
    /// Remove a site; its hosts stop serving it at once
    Remove {
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
        /// Record and queue only: the hosts stop serving it at the next `amoe outbox run`
        #[arg(long)]
        no_push: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// List journal entries, oldest first
    #[command(
        after_long_help = "EXAMPLES:\n  amoe audit list --since 2026-11-01 --operator j.dupont\n  amoe audit list --target site:www-mairie\n  amoe audit list --target site:       every entry about a site"
    )]
    List {
        /// Entries at or after: a date (midnight, Europe/Paris) or an RFC 3339 time
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        operator: Option<String>,
        /// `kind:name` (e.g. `site:www`), or `kind:` for every target of a kind
        #[arg(long)]
        target: Option<String>,
    },
    /// Check the hash chain; exit 1 naming the first bad entry
    #[command(after_long_help = "Prints the number of entries and the hash of the last one. Keep that hash \
elsewhere (a ticket, a mail): a journal rewritten as a whole would no longer end with it.")]
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum CaCmd {
    /// Create the CA: CA_DIR/ca.pem and CA_DIR/ca.key (mode 0600)
    #[command(after_long_help = "CA_DIR is AMOE_CA_DIR, else `ca_dir` in the configuration file, else \
~/.local/share/amoe/ca. An existing CA is never overwritten.

EXAMPLES:
  amoe ca init --name prod")]
    Init {
        /// Name of the CA: its certificate is `amoe CA NAME`
        #[arg(long, default_value = "amoe")]
        name: String,
    },
    /// Issue a client certificate: NAME.pem, NAME.key (mode 0600) and ca.pem in DIR
    #[command(after_long_help = "The role is written in the certificate (subject OU): `operator` may do \
everything, `ci` only flush and deploy. Existing files are never overwritten.

EXAMPLES:
  amoe ca issue j.dupont --role operator --out ~/.config/amoe
  amoe ca issue gitlab-ci --role ci --days 90")]
    Issue {
        /// Who it is for (written in the certificate and in the agents' journals)
        name: String,
        /// operator (everything) or ci (flush and deploy only)
        #[arg(long, value_parser = ["operator", "ci"])]
        role: String,
        /// Validity in days
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
        /// Directory to write to
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// List every certificate issued, revoked or expired ones included
    List,
    /// Revoke every valid certificate of NAME and rewrite CA_DIR/crl.pem
    #[command(after_long_help = "EXAMPLES:\n  amoe ca revoke j.dupont")]
    Revoke {
        /// A client's or a host's name
        name: String,
    },
    /// Issue the revocation list again (valid one year) and push it to every host
    Crl,
}

const FLUSH_HELP: &str = "\
Each host of the site gets the purge over its control API; the operation is kept in the outbox
until the host confirmed it (`amoe outbox run` retries). Exit 0 when every host confirmed, 3
when some did not, 1 when none did.

EXAMPLES:
  amoe flush www-mairie --url https://www.mairie.fr/actualites/
  amoe flush www-mairie --prefix /static/ --soft
  amoe flush www-mairie --tag news --tag home --timing
  amoe flush www-mairie --all --output json";

/// `amoe flush`.
#[derive(Debug, Args)]
pub struct FlushArgs {
    /// The site
    pub site: String,
    /// An exact URL (every variant) or a path on every domain of the site (repeatable)
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// A directory prefix (repeatable)
    #[arg(long = "prefix", value_name = "PATH")]
    pub prefixes: Vec<String>,
    /// A tag from `Surrogate-Key` / `Cache-Tag` (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The whole site
    #[arg(long)]
    pub all: bool,
    /// Mark stale instead of deleting (stale-if-error still protects the origin)
    #[arg(long)]
    pub soft: bool,
    /// Show what would be sent, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the time from the command's start to each host's and the last confirmation
    #[arg(long)]
    pub timing: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// What is still owed, oldest first, and what hosts refused for good (parked)
    List,
    /// Deliver what is due (for cron; exit 3 when some hosts still fail)
    #[command(after_long_help = "Each host's queue is delivered in order by one amoe process at a time (a lease in \
the store). An item a host refuses for good (HTTP 4xx) is parked with the reason and the items behind it go on; \
`amoe outbox drop` removes it. Items a ci certificate may not deliver wait for an operator's run.

EXAMPLES:
  */5 * * * * amoe outbox run       (cron)
  amoe outbox run --all")]
    Run {
        /// Also what waits for its next attempt (backoff: 1 s doubling to 1 h)
        #[arg(long)]
        all: bool,
    },
    /// What each host owes, in Prometheus' text format (for node_exporter's textfile collector)
    #[command(after_long_help = "Per host of the inventory: amoe_outbox_items{host,state=\"pending\"|\"parked\"}, \
amoe_outbox_oldest_age_seconds{host} (0 when nothing is owed) and amoe_outbox_attempts_max{host}. With --out the \
file is replaced atomically, as the textfile collector needs. With -o json|table|csv, the same figures as records.

EXAMPLES:
  amoe outbox metrics
  amoe outbox metrics -o json
  amoe outbox run; amoe outbox metrics --out /var/lib/node_exporter/textfile/amoe_outbox.prom
  # alert: amoe_outbox_oldest_age_seconds > 3600")]
    Metrics {
        /// Write to FILE (through a temporary file and a rename) instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Remove items from the outbox without delivering them (journaled)
    #[command(after_long_help = "EXAMPLES:\n  amoe outbox list\n  amoe outbox drop 3f2a9c0d1e4b5a6978877665")]
    Drop {
        /// Item ids, as `amoe outbox list` shows them
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

const LOGS_STATS_HELP: &str = "\
Formats are found from the first lines: W3C extended when the file starts with a `#` directive
(any `#Fields:` order, the fields may change at each `#Fields:`), otherwise common or combined,
with or without Apache's `%D` (microseconds) and a cache word after the user agent. Files may be
gzip-compressed. A line that is not well-formed (cut, binary, bad date, longer than 8 KiB) is
counted in `bad_lines` with its number, never fatal; a well-formed status-400 junk request
(a TLS handshake on port 80) is a request.

Visitors are distinct (address, user agent, day), 4xx excluded, as GoAccess counts them
((address, day) for CLF). HIT, STALE, UPDATING, REVALIDATED and TCP_*HIT count as served by
the CDN; MISS, PASS, BYPASS, EXPIRED, ERROR, `-` and other TCP_* words as served by the origin.
Days are the dates written in the lines (local time for CLF, UTC for W3C).

EXIT STATUS:
  0  every file read
  1  no file could be read
  3  some files could not be read to their end (named on stderr; their lines before count)

EXAMPLES:
  amoe logs stats /var/log/amoe/www/www-2026-11-26.w3c.log.gz
  amoe logs stats access.log --by hour --chart hours.svg
  amoe logs stats *.log.gz --output json | jq .requests";

const LOGS_CRON_HELP: &str = "\
Meant for cron: one run at a time (a lock in the archive folder), every step journaled, an
interrupted run finished by the next one, nothing fetched, delivered or notified twice.

EXIT STATUS:
  0  everything asked for is done
  1  failure: nothing could be done (no host reachable, another run holds the lock, …)
  3  partial: some hosts, sites or days failed or wait (named on stderr); run again later

FILES:
  [logs] in config.toml: archive (folder), ssh_key, ssh_user, known_hosts, keep_days
  [mail] in config.toml: server, port, security (starttls, tls, none), sender, username,
         password_file

EXAMPLES:
  amoe logs collect --quiet && amoe logs deliver --quiet        nightly, from cron
  amoe logs collect --day 2026-11-26 --host pop-paris-1 --accept-new-host-key
  amoe logs deliver --site www --from 2026-06-01 --to 2026-06-30 --again
  amoe logs deliver --site www --day 2026-11-26 --allow-incomplete --lang en";

#[derive(Debug, Subcommand)]
pub enum LogsCmd {
    /// Statistics of log files: attendance, volume, cache, response times, top paths
    #[command(after_long_help = LOGS_STATS_HELP)]
    Stats(LogStatsArgs),
    /// Fetch the hosts' closed daily logs over SFTP into the local archive
    #[command(after_long_help = LOGS_CRON_HELP)]
    Collect {
        /// Only this day (YYYY-MM-DD or `yesterday`); default: every closed file not archived
        #[arg(long)]
        day: Option<String>,
        /// Only this site (`_unknown`: requests for no known site, collected, never delivered)
        #[arg(long)]
        site: Option<String>,
        /// Only this host
        #[arg(long)]
        host: Option<String>,
        /// Pin a host's SSH key seen for the first time (check it first)
        #[arg(long)]
        accept_new_host_key: bool,
        /// No progress bars and no summary; errors only
        #[arg(long, short)]
        quiet: bool,
    },
    /// Merge each site's day from every host and deliver it to the beneficiary with a notice
    #[command(after_long_help = LOGS_CRON_HELP)]
    Deliver {
        /// Only this site
        #[arg(long)]
        site: Option<String>,
        /// Only this day (YYYY-MM-DD or `yesterday`)
        #[arg(long, conflicts_with_all = ["from", "to"])]
        day: Option<String>,
        /// First day of a period
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day of a period
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Deliver again days already delivered (on request)
        #[arg(long, requires = "site")]
        again: bool,
        /// Deliver even when some hosts' files are missing (said in the record and the notice)
        #[arg(long)]
        allow_incomplete: bool,
        /// Pin an SFTP account's SSH key seen for the first time
        #[arg(long)]
        accept_new_host_key: bool,
        /// Language of the notice
        #[arg(long, value_parser = ["fr", "en"], default_value = "fr")]
        lang: String,
        /// No summary; errors only
        #[arg(long, short)]
        quiet: bool,
    },
    /// Each site, host and day in the archive, and what was delivered and notified
    List {
        /// Only this site
        #[arg(long)]
        site: Option<String>,
    },
    /// Remove archived days older than the retention (at least 183 days)
    Prune {
        /// Days to keep (at least 183; default `keep_days` in [logs], else 183)
        #[arg(long)]
        keep_days: Option<u32>,
    },
    /// Where a host's logs are read over SFTP (shown when no flag is given)
    #[command(
        after_long_help = "By default a host is reached at its control address's host, port 22, as the `ssh_user` of\n[logs], and its logs are under `/` (an `internal-sftp` chroot on the agent's log_dir).\n\nEXAMPLES:\n  amoe logs host pop-paris-1 --ssh pop-paris-1.cdn.example.net:2222 --log-dir /logs"
    )]
    Host {
        /// Host name
        name: String,
        /// SSH endpoint, HOST[:PORT]
        #[arg(long)]
        ssh: Option<String>,
        /// SFTP user
        #[arg(long)]
        user: Option<String>,
        /// The agent's log folder as the SFTP server shows it
        #[arg(long)]
        log_dir: Option<String>,
    },
    /// SFTP accounts logs are delivered to
    #[command(subcommand)]
    Account(AccountCmd),
}

#[derive(Debug, Subcommand)]
pub enum AccountCmd {
    /// Set the account of a beneficiary, or of one site (which then overrides its beneficiary's)
    #[command(
        after_long_help = "The key file is a path on this machine; the key never enters the store. The server's SSH key\nis pinned at the first delivery run with --accept-new-host-key, or given here.\n\nEXAMPLES:\n  amoe logs account set --beneficiary 12000101100010 --sftp logs@sftp.insee.example:22 \\\n      --key ~/.ssh/insee_logs --folder /depot/cdn"
    )]
    Set {
        /// The beneficiary (SIRET)
        #[arg(long, required_unless_present = "site", conflicts_with = "site")]
        beneficiary: Option<String>,
        /// One site
        #[arg(long)]
        site: Option<String>,
        /// USER@HOST[:PORT]
        #[arg(long)]
        sftp: String,
        /// Private key file (mode 0600)
        #[arg(long)]
        key: PathBuf,
        /// Folder on the account
        #[arg(long, default_value = ".")]
        folder: String,
        /// The server's public key, `TYPE BASE64` as in known_hosts (else pinned at first use)
        #[arg(long)]
        host_key: Option<String>,
    },
    /// List the accounts
    List,
}

/// How `--by` splits the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsPeriod {
    /// One row per day.
    Day,
    /// One row per hour.
    Hour,
}

/// A log format named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Common log format.
    Clf,
    /// Combined log format (trailing time-taken and cache fields found from the first lines).
    Combined,
    /// Combined followed by the time taken in microseconds (`%D`) and a cache word.
    CombinedExtra,
    /// W3C extended log format.
    W3c,
}

/// W3C `time-taken` unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeUnit {
    /// Seconds, with decimals (the W3C draft; amoe-agent writes this).
    S,
    /// Whole milliseconds (IIS).
    Ms,
}

#[derive(Debug, Args)]
pub struct LogStatsArgs {
    /// Log files (plain or .gz)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One row per day or per hour
    #[arg(long, value_enum, default_value = "day")]
    pub by: StatsPeriod,
    /// Read the files as this format instead of finding it
    #[arg(long, value_enum)]
    pub format: Option<LogFormat>,
    /// Unit of W3C time-taken
    #[arg(long, value_enum, default_value = "s")]
    pub w3c_time_unit: TimeUnit,
    /// How many of the most requested paths to list
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Also draw the periods as a chart (SVG or PNG, by the file's extension)
    #[arg(long, value_name = "FILE.svg|FILE.png")]
    pub chart: Option<PathBuf>,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a user (an administrator does; the very first user must be an administrator)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe user add j.dupont@contractor.example --name 'Jeanne Dupont' --admin --time --login jdupont\n  amoe user add dsi@mairie.example --name 'DSI Mairie'"
    )]
    Add {
        /// E-mail: one account per person, one e-mail per account
        email: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// Every right on every project and space
        #[arg(long)]
        admin: bool,
        /// Sees the time spent on tickets
        #[arg(long)]
        time: bool,
        /// The operator login (`--operator`, `AMOE_OPERATOR`, `$USER`) that acts as this user
        #[arg(long, value_name = "LOGIN")]
        login: Option<String>,
    },
    /// Change a user's name, administrator right, time right or login
    #[command(after_long_help = "EXAMPLES:\n  amoe user update former@contractor.example --admin false --login none")]
    Update {
        /// E-mail
        email: String,
        /// Full name
        #[arg(long)]
        name: Option<String>,
        /// Every right on every project and space
        #[arg(long, value_name = "BOOL")]
        admin: Option<bool>,
        /// Sees the time spent on tickets
        #[arg(long, value_name = "BOOL")]
        time: Option<bool>,
        /// The operator login acting as this user (`none` removes it)
        #[arg(long, value_name = "LOGIN")]
        login: Option<String>,
    },
    /// List users
    List,
    /// Mail a user a one-time link to set their extranet password (an administrator does)
    #[command(
        after_long_help = "The link is valid for --hours (default 24) and once; a new link puts the older ones out of use,\nand setting the password ends the account's sessions. No password is ever typed on a command line.\n[mail] in config.toml must be set.\n\nEXAMPLES:\n  amoe user password dsi@mairie.example --url https://extranet.contractor.example\n  AMOE_EXTRANET_URL=https://extranet.contractor.example amoe user password dsi@mairie.example --hours 4"
    )]
    Password {
        /// E-mail of the account
        email: String,
        /// The extranet's address, as users reach it (or `AMOE_EXTRANET_URL`)
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Hours the link stays valid
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=168))]
        hours: u32,
    },
    /// Remove a user's extranet second factor (a lost phone), and end their sessions (an administrator does)
    #[command(
        after_long_help = "The user signs in with their password alone again (an administrator is asked to set a new\nsecond factor up at once).\n\nEXAMPLES:\n  amoe user totp-reset dsi@mairie.example"
    )]
    TotpReset {
        /// E-mail of the account
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExtranetCmd {
    /// Serve the extranet: sites, statistics, tickets, deposits and the flush form, behind sign-in
    #[command(
        after_long_help = "Without --tls-cert/--tls-key it speaks plain HTTP, for a TLS-terminating proxy in front or\nloopback only: its cookies are `Secure`, and browsers send them over HTTPS (or to localhost) only.\nSessions end after 30 minutes idle and 12 hours in all; 10 failed sign-ins in 15 minutes for an\naccount, or from an address, stop further attempts until the oldest is 15 minutes old.\nAdministrators must set up a second factor (TOTP); its secrets are sealed with STORE.extranet-key,\nmade on first use beside the store. The flush form goes through the fleet as `amoe flush` does:\nthe server needs the operator's client certificate (AMOE_CLIENT_CERT, AMOE_CLIENT_KEY). The\nstatistics read `[logs] archive`; ticket notices go through `[mail]`.\n\nEXAMPLES:\n  amoe extranet serve --listen 127.0.0.1:8080\n  amoe extranet serve --listen 0.0.0.0:443 --tls-cert /etc/amoe/extranet.pem --tls-key /etc/amoe/extranet.key"
    )]
    Serve {
        /// Address and port to listen on
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: std::net::SocketAddr,
        /// Certificate chain (PEM) to serve HTTPS
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Its private key (PEM)
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// List the extranet's pages and actions, with the rule that decides who reaches each
    #[command(
        after_long_help = "EXAMPLES:\n  amoe extranet routes\n  amoe extranet routes -o json | jq '.[] | select(.rule == \"site\")'"
    )]
    Routes,
}

#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Add a project with its contacts and SLA targets
    #[command(
        after_long_help = "SLA targets are JSON: take_charge, restore (incidents) and resolve, each {\"minutes\": N,\n\"outside_hours_minutes\": M, \"clock\": \"business\" | \"always\"}.\n\nEXAMPLES:\n  amoe project add portail --label 'Portail citoyen' --moa dsi@mairie.example \\\n      --sla '{\"take_charge\": {\"minutes\": 60, \"outside_hours_minutes\": 120, \"clock\": \"always\"}}'"
    )]
    Add {
        /// Short name
        name: String,
        /// Label
        #[arg(long)]
        label: String,
        /// Maîtrise d'ouvrage contact
        #[arg(long)]
        moa: Option<String>,
        /// Maîtrise d'œuvre contact
        #[arg(long)]
        moe: Option<String>,
        /// Assistance à maîtrise d'ouvrage contact
        #[arg(long)]
        amoa: Option<String>,
        /// SLA targets (JSON)
        #[arg(long)]
        sla: Option<String>,
    },
    /// List projects
    List,
}

#[derive(Debug, Subcommand)]
pub enum SpaceCmd {
    /// Add a space (one per customer structure)
    Add {
        /// Short name
        name: String,
        /// Label
        #[arg(long)]
        label: Option<String>,
        /// Members (repeatable)
        #[arg(long = "member", value_name = "EMAIL")]
        members: Vec<String>,
    },
    /// Put a user in a space
    Join {
        /// Space
        space: String,
        /// User
        email: String,
    },
    /// Take a user out of a space (they no longer see its tickets, their own included)
    Leave {
        /// Space
        space: String,
        /// User
        email: String,
    },
    /// List spaces and their members
    List,
    /// Make a space stand for a beneficiary: its members see the beneficiary's sites on the extranet
    #[command(after_long_help = "EXAMPLES:\n  amoe space link mairie 21750001600019")]
    Link {
        /// Space
        space: String,
        /// SIRET of the beneficiary
        siret: String,
    },
    /// Undo `space link`
    Unlink {
        /// Space
        space: String,
        /// SIRET of the beneficiary
        siret: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AclCmd {
    /// Set a user's right on a project: none, read (every ticket of it) or write
    #[command(after_long_help = "EXAMPLES:\n  amoe acl grant dsi@mairie.example portail read")]
    Grant {
        /// User
        user: String,
        /// Project
        project: String,
        /// none, read or write
        level: String,
    },
    /// List the rights
    List,
}

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// Act as this user (administrators, to prepare or check a customer's view)
    #[arg(long = "as", global = true, value_name = "EMAIL")]
    pub as_user: Option<String>,
    #[command(subcommand)]
    pub cmd: TicketCmd,
}

/// How `ticket show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// The intervention sheet in Markdown (002 §5.2.6).
    Md,
}

const TICKET_HELP: &str = "\
Types: assistance, evolution, correction, incident, request, problem, change, release.
Statuses: new, in-progress, waiting, resolved, closed. Priorities: low, normal, high, critical.

A ticket someone may not see is reported as not found. The acting user is the account mapped to
the operator (`amoe user add … --login LOGIN`), or `--as EMAIL` for an administrator.";

const IMPORT_MAIL_HELP: &str = "\
The sender (From) must have an account. A reply (In-Reply-To or References naming a ticket's
message, or `[#N]` in the subject) becomes a comment on that ticket; any other message opens a
ticket in --project. Attachments are stored with the ticket. A message already imported (same
Message-ID) is not imported again.

EXIT STATUS (sysexits, as an MTA expects):
  0   imported (or imported before)
  65  not a usable message, or an attachment over 10 MiB: bounced
  67  unknown sender, or no right to write there: bounced
  75  the store stayed busy: the MTA tries again later

EXAMPLES:
  /etc/aliases:   support: \"|amoe ticket import-mail --project portail\"
  fetchmail:      mda \"amoe ticket import-mail --project portail\"";

#[derive(Debug, Subcommand)]
pub enum TicketCmd {
    /// Open a ticket
    #[command(
        after_long_help = "EXAMPLES:\n  amoe ticket new --project portail --space mairie --type incident --priority high \\\n      --title 'Pages en erreur 502' --site www --body 'Depuis 9 h 10.'"
    )]
    New {
        /// Project
        #[arg(long)]
        project: String,
        /// Space
        #[arg(long)]
        space: String,
        /// Type
        #[arg(long = "type", value_name = "TYPE")]
        kind: String,
        /// Title
        #[arg(long)]
        title: String,
        /// Priority
        #[arg(long, default_value = "normal")]
        priority: String,
        /// First comment
        #[arg(long)]
        body: Option<String>,
        /// The site it is about
        #[arg(long)]
        site: Option<String>,
        /// The host it is about
        #[arg(long)]
        host: Option<String>,
        /// The beneficiary it is about (SIRET)
        #[arg(long)]
        beneficiary: Option<String>,
        /// Open it for this user (a member of the space), e.g. after a phone call
        #[arg(long, value_name = "EMAIL")]
        reporter: Option<String>,
    },
    /// List tickets, newest first; every filter combines
    #[command(after_long_help = TICKET_HELP)]
    List {
        #[command(flatten)]
        filter: TicketFilterArgs,
        /// At most this many, newest first (0: all)
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: usize,
    },
    /// Show a ticket, its history and SLA clocks
    Show {
        /// Number
        id: i64,
        /// `md`: the intervention sheet
        #[arg(long, value_enum)]
        format: Option<ShowFormat>,
    },
    /// Add a comment (with the time spent, shown only to users who see time)
    Comment {
        /// Number
        id: i64,
        /// Text
        text: String,
        /// Minutes spent
        #[arg(long)]
        minutes: Option<i64>,
    },
    /// Give a ticket to someone
    Assign {
        /// Number
        id: i64,
        /// User
        email: String,
    },
    /// Change a ticket's status
    Status {
        /// Number
        id: i64,
        /// new, in-progress, waiting, resolved, closed
        status: String,
    },
    /// Attach a file (stored once by SHA-256 in the store; 10 MiB at most)
    Attach {
        /// Number
        id: i64,
        /// File
        file: PathBuf,
    },
    /// Read one e-mail on standard input: a new ticket, or a comment on the ticket it answers
    #[command(after_long_help = IMPORT_MAIL_HELP)]
    ImportMail {
        /// Project of the tickets new messages open
        #[arg(long)]
        project: Option<String>,
        /// Space of new tickets (default: the sender's only space)
        #[arg(long)]
        space: Option<String>,
        /// Type of new tickets
        #[arg(long = "type", value_name = "TYPE", default_value = "request")]
        kind: String,
    },
    /// Send the notices still owed (after the SMTP server was down); for cron
    Notify,
    /// Figures: tickets by type and status, opened and closed per period, delays, SLA breaches
    #[command(
        after_long_help = "Only the tickets you may read are counted. Delays are hours of the clocks of `ticket show`\n(business hours or 24/7 as each project's targets say).\n\nEXAMPLES:\n  amoe ticket stats --by month --project portail\n  amoe ticket stats --by year --format xlsx --out tickets-2026.xlsx"
    )]
    Stats {
        /// Opened and closed per day, month or year
        #[arg(long, value_enum, default_value = "month")]
        by: TicketBy,
        #[command(flatten)]
        filter: TicketFilterArgs,
        /// Write a file instead of printing (with --out)
        #[arg(long, value_enum, requires = "out")]
        format: Option<crate::ops::sheets::SheetFormat>,
        /// The file to write
        #[arg(long, requires = "format")]
        out: Option<PathBuf>,
    },
    /// Write the tickets you may see to a spreadsheet, CSV or JSON (dates as dates)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe ticket export --format ods --out tickets.ods --project portail --since 2026-01-01\n  amoe ticket export --format xlsx --out tickets.xlsx --lang en"
    )]
    Export {
        #[command(flatten)]
        filter: TicketFilterArgs,
        /// xlsx, ods, csv or json
        #[arg(long, value_enum)]
        format: crate::ops::sheets::SheetFormat,
        /// The file to write
        #[arg(long)]
        out: PathBuf,
        /// Language of the titles and words
        #[arg(long, value_parser = ["fr", "en"], default_value = "fr")]
        lang: String,
    },
    /// Link two tickets (a problem and its incidents)
    Link {
        /// Number
        id: i64,
        /// The other ticket
        other: i64,
        /// Kind of link
        #[arg(long, default_value = "related")]
        kind: String,
    },
}

/// How `ticket stats` groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TicketBy {
    /// Per day.
    Day,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

#[derive(Debug, Args, Default)]
pub struct TicketFilterArgs {
    /// Project
    #[arg(long)]
    pub project: Option<String>,
    /// Space
    #[arg(long)]
    pub space: Option<String>,
    /// Status
    #[arg(long)]
    pub status: Option<String>,
    /// Type
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Priority
    #[arg(long)]
    pub priority: Option<String>,
    /// Reporter (e-mail)
    #[arg(long)]
    pub reporter: Option<String>,
    /// Assignee (e-mail)
    #[arg(long)]
    pub assignee: Option<String>,
    /// Site: the site's history
    #[arg(long)]
    pub site: Option<String>,
    /// Host
    #[arg(long)]
    pub host: Option<String>,
    /// Beneficiary (SIRET)
    #[arg(long)]
    pub beneficiary: Option<String>,
    /// Opened since (YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// Words in the title
    #[arg(long)]
    pub text: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QuoteCmd {
    /// Record a quote request; it is due 10 working days later (French calendar)
    #[command(
        after_long_help = "A request on a day off counts from the next working day.\n\nEXAMPLES:\n  amoe quote add --beneficiary 12000101100010 --requested-at 2026-11-27T10:15:00+01:00 --ticket 12"
    )]
    Add {
        /// The beneficiary (SIRET)
        #[arg(long)]
        beneficiary: String,
        /// When the request came: RFC 3339, or a date (midnight, Paris)
        #[arg(long, value_name = "TIME")]
        requested_at: String,
        /// The ticket it came with
        #[arg(long)]
        ticket: Option<i64>,
        /// A note
        #[arg(long)]
        note: Option<String>,
    },
    /// Show one quote with its due day and lateness
    Show {
        /// Quote number
        id: i64,
    },
    /// Record when a quote was sent
    Sent {
        /// Quote number
        id: i64,
        /// When: RFC 3339, or a date (midnight, Paris)
        #[arg(long, value_name = "TIME")]
        at: String,
    },
    /// List quotes with their due day and how many working days late they are (or were)
    List {
        /// One beneficiary (SIRET)
        #[arg(long)]
        beneficiary: Option<String>,
        /// Only those late
        #[arg(long)]
        late: bool,
    },
}
