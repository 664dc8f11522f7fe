//! Arguments of the contract records (BPU, orders, contracts, interventions, incidents, change
//! requests) and of the reports built on them (seed 002 art. 6, 003 §3.2.10.1 and §4.1, 004 §9.3
//! and §10).

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum BpuCmd {
    /// Replace a lot's price schedule with a CSV file (refused whole if one line is bad)
    #[command(
        after_long_help = "The CSV has a header line and the columns code, label, unit, price (euros excluding tax)\nand, optionally, reference_price (the market price purchase gains are counted against).\nA comma or a dot separates cents; at most two decimals.\n\nEXAMPLES:\n  amoe bpu import bpu-lot9.csv --lot 9"
    )]
    Import {
        /// The CSV file
        file: PathBuf,
        /// The lot it prices (each lot is its own agreement, 002 art. 3)
        #[arg(long)]
        lot: String,
    },
    /// List a lot's price lines (or every lot's)
    List {
        #[arg(long)]
        lot: Option<String>,
    },
    /// Show one price line
    Show {
        /// The lot
        #[arg(long)]
        lot: String,
        /// The line's code
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Record an order over the beneficiary's lot's price schedule
    #[command(
        after_long_help = "Each --line is CODE:QUANTITY, or CODE:QUANTITY:PRICE when the order states its own unit price\n(euros excluding tax). The price of the day is kept with the order.\n\nEXAMPLES:\n  amoe order add --beneficiary 12000101100010 --number BC-2026-114 --date 2026-03-12 \\\n      --line HEB-01:12 --line JOUR-EXP:2.5 --line CDN-TB:40:8.50"
    )]
    Add {
        /// The ordering beneficiary (SIRET); unknown ones are refused (002 art. 4.3)
        #[arg(long)]
        beneficiary: String,
        /// The order's number
        #[arg(long)]
        number: String,
        /// Its date (YYYY-MM-DD)
        #[arg(long)]
        date: String,
        /// A line: CODE:QUANTITY[:PRICE] (repeatable)
        #[arg(long = "line", value_name = "CODE:QTY[:PRICE]", required = true)]
        lines: Vec<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List orders
    List {
        /// First day (YYYY-MM-DD)
        #[arg(long)]
        from: Option<String>,
        /// Last day
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        beneficiary: Option<String>,
    },
    /// Show one order and its lines
    Show { id: i64 },
    /// Correct an order's number, date or note
    Update {
        id: i64,
        #[arg(long)]
        number: Option<String>,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

/// A contract's terms.
#[derive(Debug, Args)]
pub struct ContractTerms {
    /// Price of one day of intervention, euros excluding tax
    #[arg(long, value_name = "EUROS")]
    pub daily_rate: Option<String>,
    /// Hours in one day of intervention (7, 7.5)
    #[arg(long, value_name = "HOURS")]
    pub hours_per_day: Option<String>,
    /// The cap, euros excluding tax (004 art. 3-2: 29000)
    #[arg(long, value_name = "EUROS")]
    pub cap: Option<String>,
    /// VAT rate in percent
    #[arg(long, value_name = "PERCENT")]
    pub vat: Option<String>,
    /// First day covered (YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<String>,
    /// Last day covered
    #[arg(long)]
    pub to: Option<String>,
    /// A label (the market's reference)
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContractCmd {
    /// Record a support contract: daily rate, hours per day, cap, VAT, period
    #[command(
        after_long_help = "EXAMPLES:\n  amoe contract add --beneficiary 21750001600019 --daily-rate 650 --hours-per-day 7 \\\n      --cap 29000 --vat 20 --from 2026-01-01 --to 2026-12-31 --label 'Marché 2026-004'"
    )]
    Add {
        /// The customer (SIRET)
        #[arg(long)]
        beneficiary: String,
        #[command(flatten)]
        terms: ContractTerms,
    },
    /// List contracts
    List {
        #[arg(long)]
        beneficiary: Option<String>,
    },
    /// Show one contract and what it has consumed
    Show { id: i64 },
    /// Change a contract's terms
    Update {
        id: i64,
        #[command(flatten)]
        terms: ContractTerms,
    },
}

#[derive(Debug, Subcommand)]
pub enum InterventionCmd {
    /// Record an intervention; it counts against the customer's contract of that day
    #[command(
        after_long_help = "The operator is the acting one (`--operator`, AMOE_OPERATOR or config.toml).\n\nEXAMPLES:\n  amoe intervention log --beneficiary 21750001600019 --start '2026-10-05 14:30' --duration 1h30 \\\n      --detail 'Mise à jour du module de paiement' --ticket 42\n  amoe --operator j.dupont intervention log --beneficiary 21750001600019 --start 2026-10-06T22:00 \\\n      --duration 45m --detail 'Astreinte: redémarrage PHP-FPM'"
    )]
    Log {
        /// The customer (SIRET)
        #[arg(long)]
        beneficiary: String,
        /// When it began (Paris time, or RFC 3339)
        #[arg(long, value_name = "TIME")]
        start: String,
        /// How long: 1h30, 45m, 2h
        #[arg(long)]
        duration: String,
        /// What was done
        #[arg(long)]
        detail: String,
        /// Its ticket
        #[arg(long)]
        ticket: Option<i64>,
    },
    /// List interventions
    List {
        /// A month (YYYY-MM)
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        beneficiary: Option<String>,
    },
    /// Show one intervention
    Show { id: i64 },
    /// Correct an intervention
    Update {
        id: i64,
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        #[arg(long)]
        duration: Option<String>,
        #[arg(long)]
        detail: Option<String>,
        #[arg(long)]
        ticket: Option<i64>,
    },
}

/// Who noticed an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Detector {
    /// The contractor's supervision
    Us,
    /// The administration
    Customer,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCmd {
    /// Record an incident and tell the customer's contacts by mail (003 §4.1.4.1)
    #[command(
        after_long_help = "The mail goes to the contacts of the site's beneficiary through [mail] in config.toml; its\ntime is recorded as when the customer was told. Without a site, or with --no-mail, record\n--told-at yourself.\n\nEXAMPLES:\n  amoe incident open --site www --start '2026-10-12 03:10' --detected-by us --ours \\\n      --nature 'Disque plein sur pop-paris-1' --measures 'Purge des journaux, alerte ajoutée'"
    )]
    Open {
        /// The site concerned (none: the whole service)
        #[arg(long)]
        site: Option<String>,
        /// When it began (Paris time, or RFC 3339)
        #[arg(long, value_name = "TIME")]
        start: String,
        /// Who detected it (QS-05)
        #[arg(long, value_enum)]
        detected_by: Detector,
        /// On equipment under our responsibility (QS-04)
        #[arg(long, conflicts_with = "not_ours")]
        ours: bool,
        /// Not on our equipment (the customer's origin, a third party)
        #[arg(long)]
        not_ours: bool,
        /// Its nature
        #[arg(long)]
        nature: String,
        /// The measures taken
        #[arg(long)]
        measures: Option<String>,
        /// When the customer was told, if not by this command's mail
        #[arg(long, value_name = "TIME")]
        told_at: Option<String>,
        /// When service was restored, if it already is
        #[arg(long, value_name = "TIME")]
        restored_at: Option<String>,
        #[arg(long)]
        ticket: Option<i64>,
        /// Do not mail the contacts
        #[arg(long)]
        no_mail: bool,
        /// Write the notice in English
        #[arg(long, value_parser = ["fr", "en"], default_value = "fr")]
        lang: String,
    },
    /// Record that service was restored
    Close {
        id: i64,
        /// When the site was visible on the Internet again
        #[arg(long, value_name = "TIME")]
        restored_at: String,
        /// The measures taken
        #[arg(long)]
        measures: Option<String>,
    },
    /// Correct an incident's record
    Update {
        id: i64,
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        #[arg(long, value_enum)]
        detected_by: Option<Detector>,
        /// On our equipment: true or false
        #[arg(long)]
        ours: Option<bool>,
        #[arg(long)]
        nature: Option<String>,
        #[arg(long)]
        measures: Option<String>,
        #[arg(long, value_name = "TIME")]
        told_at: Option<String>,
        #[arg(long, value_name = "TIME")]
        restored_at: Option<String>,
        #[arg(long)]
        ticket: Option<i64>,
    },
    /// List incidents (of a month: YYYY-MM)
    List {
        #[arg(long)]
        month: Option<String>,
    },
    /// Show one incident
    Show { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ChangeCmd {
    /// Record a change of settings the customer asked for; the next push of the site carries it
    #[command(
        after_long_help = "QS-06: the change is effective when the last host of the site confirmed the next push of its\nconfiguration (`amoe site update`, `amoe outbox run`...); it is due by the end of the next\n\"jour ouvrable\" (Monday to Saturday, holidays excepted) after the request.\n\nEXAMPLES:\n  amoe change add --site www --asked-at '2026-10-08 16:20' --detail 'TTL des images à 1 jour' --ticket 51\n  amoe site update www --ttl 1d"
    )]
    Add {
        #[arg(long)]
        site: String,
        /// When the customer asked (default: now)
        #[arg(long, value_name = "TIME")]
        asked_at: Option<String>,
        /// What was asked
        #[arg(long)]
        detail: String,
        #[arg(long)]
        ticket: Option<i64>,
    },
    /// List change requests with when they took effect
    List {
        #[arg(long)]
        site: Option<String>,
    },
    /// Show one change request
    Show { id: i64 },
    /// Correct a change request
    Update {
        id: i64,
        #[arg(long, value_name = "TIME")]
        asked_at: Option<String>,
        #[arg(long)]
        detail: Option<String>,
        #[arg(long)]
        ticket: Option<i64>,
    },
}

/// Figures a beneficiary may choose in its weekly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WeeklyMetric {
    /// The most requested paths
    TopUrls,
    /// Answers by status code
    Status,
    /// Requests by method
    Methods,
    /// Response times (median, 90th and 99th percentiles)
    Times,
}

/// A report's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Excel, one sheet per part
    Xlsx,
    /// OpenDocument spreadsheet, one sheet per part
    Ods,
    /// CSV, the parts one after the other, each under its title
    Csv,
    /// JSON: the parts with stable English keys, money in cents
    Json,
    /// Markdown
    Md,
}

/// Where and how a report is written.
#[derive(Debug, Args)]
pub struct ReportOut {
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// The file to write (default: standard output, for csv, json and md)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Language of the titles and words
    #[arg(long, value_parser = ["fr", "en"], default_value = "fr")]
    pub lang: String,
    /// Also draw the report's chart (FILE.svg or FILE.png)
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The CANUT report of a semester (002 art. 6)
    #[command(
        after_long_help = "Business volume in total and per beneficiary by month, quarter and year; every order; the\nyear's orders over the price lines; quotes answered late; purchase gains; and, from --notes\n(a Markdown file with `## ` sections), commercial actions, return on investment, good practice.\n\nEXAMPLES:\n  amoe report canut --semester 2026-S1 --format xlsx --out canut-2026-S1.xlsx --notes notes.md"
    )]
    Canut {
        /// YYYY-S1 or YYYY-S2
        #[arg(long)]
        semester: String,
        /// A Markdown file of the semester's notes
        #[arg(long)]
        notes: Option<PathBuf>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The quality of service of a month: QS-01 to QS-07 with evidence (003 §3.2.10.1)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe report qos --month 2026-10 --format ods --out qos-2026-10.ods --chart dispo.svg"
    )]
    Qos {
        /// YYYY-MM
        #[arg(long)]
        month: String,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The monthly activity report (003 §4.1.1, §4.1.4.2)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe report monthly --month 2026-10 --format xlsx --out activite-2026-10.xlsx"
    )]
    Monthly {
        #[arg(long)]
        month: String,
        /// One beneficiary (SIRET)
        #[arg(long)]
        beneficiary: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The daily follow-up of interventions and the budget against the cap (004 §9.3, §10)
    #[command(
        after_long_help = "EXAMPLES:\n  amoe report interventions --month 2026-10 --beneficiary 21750001600019 --format ods --out interv.ods"
    )]
    Interventions {
        #[arg(long)]
        month: String,
        #[arg(long)]
        beneficiary: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// A site's weekly statistics from the collected logs (003 §3.2.3.2)
    #[command(after_long_help = "EXAMPLES:\n  amoe report weekly www --week 2026-W43 --mail")]
    Weekly {
        site: String,
        /// YYYY-Www (ISO week)
        #[arg(long)]
        week: String,
        /// Mail it to the contacts of the site's beneficiary
        #[arg(long)]
        mail: bool,
        /// The figures the beneficiary chose, beyond attendance, volume and cache (comma-separated)
        #[arg(long, value_enum, value_delimiter = ',', default_value = "top-urls,status")]
        metrics: Vec<WeeklyMetric>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Write a site's definition file from the store (003 §3.2.1.5) and record it (QS-07)
    #[command(after_long_help = "EXAMPLES:\n  amoe report dossier www --out dossier-www.md")]
    Dossier {
        site: String,
        /// The Markdown file to write
        #[arg(long)]
        out: PathBuf,
    },
}

/// `amoe deploy`: a site's release to every host, then made current everywhere or nowhere.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_long_help = "Phase one sends the bundle to every host of the site at once; each checks its SHA-256 and\nunpacks it. Phase two, only if every host has it, makes it current everywhere; if a host\ncannot switch, the others are switched back and an unreachable host is owed its switch-back\nin the outbox. One deploy at a time per site.\n\nEXIT STATUS: 0 done on every host, 3 a switch-back is owed to a host, 1 nothing switched.\n\nEXAMPLES:\n  amoe deploy www ./public --message 'v2.3.1' --flush --ticket 42\n  amoe deploy www site.tar.gz --stage && amoe deploy switch www 20261127T101500Z-3f2a9c01d4e5\n  amoe deploy list www\n  amoe deploy rollback www"
)]
pub struct DeployArgs {
    #[command(subcommand)]
    pub cmd: Option<DeployCmd>,
    /// The site
    #[arg(required = true)]
    pub site: Option<String>,
    /// A folder, or a .tar / .tar.gz of it
    #[arg(required = true)]
    pub path: Option<PathBuf>,
    /// Why (kept with the release and in the journal)
    #[arg(long)]
    pub message: Option<String>,
    /// Soft-purge the site's cache after the switch
    #[arg(long)]
    pub flush: bool,
    /// Show what would be sent (files, size, SHA-256, hosts) and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Record the deploy on this ticket
    #[arg(long)]
    pub ticket: Option<i64>,
    /// Phase one only: send the release, switch later with `amoe deploy switch`
    #[arg(long)]
    pub stage: bool,
    /// Releases kept on each host (never the current one or a staged one)
    #[arg(long, default_value_t = 5)]
    pub keep: usize,
}

#[derive(Debug, Subcommand)]
pub enum DeployCmd {
    /// Make a release already sent current on every host (phase two; from cron or `at` at the
    /// date agreed with the customer)
    Switch {
        site: String,
        /// The release id (`amoe deploy list SITE`)
        id: String,
        #[arg(long, default_value_t = 5)]
        keep: usize,
    },
    /// The releases on each host: which is current, which are staged, who sent them
    List { site: String },
    /// Deploy the very release (same SHA-256) accepted on another site (pre-production), under
    /// the same id
    Promote {
        /// The site to deploy to
        site: String,
        /// The site it was accepted on
        #[arg(long)]
        from: String,
        /// The release id there
        id: String,
        #[arg(long)]
        message: Option<String>,
        /// Soft-purge the site's cache after the switch
        #[arg(long)]
        flush: bool,
        #[arg(long)]
        ticket: Option<i64>,
        #[arg(long, default_value_t = 5)]
        keep: usize,
    },
    /// Switch back to the release served before (or to --to ID), everywhere
    Rollback {
        site: String,
        #[arg(long, value_name = "ID")]
        to: Option<String>,
        #[arg(long, default_value_t = 5)]
        keep: usize,
    },
}
