//! `amoe bpu|order|contract|intervention|incident|change`: the records the contract reports are
//! built on. Every change is one audited transaction; money is parsed to whole cents.

use super::Ctx;
use crate::cli::{BpuCmd, ChangeCmd, ContractCmd, ContractTerms, Detector, IncidentCmd, InterventionCmd, OrderCmd};
use crate::error::{Exit, Failure};
use crate::output::{Cell, Tabular};
use crate::reports::Days;
use amoe_core::money;
use amoe_core::time::{format_utc, parse_instant, parse_minutes};
use amoe_core::{Lot, Siret};
use amoe_store::Store;
use amoe_store::beneficiaries::BeneficiaryReads;
use amoe_store::contracts::{Contract, ContractReads, Intervention};
use amoe_store::incidents::{ChangeRequest, Incident, IncidentReads};
use amoe_store::orders::{BpuLine, Order, OrderLine, OrderReads};
use amoe_store::sites::SiteReads;
use amoe_store::tickets::TicketReads;
use anyhow::Result;

fn usage(e: impl ToString) -> anyhow::Error {
    Failure::usage(e.to_string()).into()
}

fn instant(raw: &str) -> Result<String> {
    parse_instant(raw).map(format_utc).map_err(usage)
}

fn day(raw: &str) -> Result<String> {
    raw.parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|_| usage(format!("`{raw}` is not a date: expected YYYY-MM-DD")))
}

fn siret(store: &Store, raw: &str) -> Result<Siret> {
    let s: Siret = raw.parse()?;
    store.beneficiary(&s)?;
    Ok(s)
}

fn ticket(store: &Store, t: Option<i64>) -> Result<()> {
    if let Some(t) = t
        && store.ticket(t)?.is_none()
    {
        return Err(Failure::new(format!("no ticket #{t}")).into());
    }
    Ok(())
}

// ---- BPU ----

impl Tabular for BpuLine {
    const HEADERS: &'static [&'static str] = &["lot", "code", "label", "unit", "price", "reference_price"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.lot),
            Cell::text(&self.code),
            Cell::text(&self.label),
            Cell::text(&self.unit),
            Cell::text(money::plain(self.price_cents)),
            Cell::text(self.reference_cents.map(money::plain).unwrap_or_default()),
        ]
    }
}

/// Reads a BPU CSV; every bad line is named, and one is enough to refuse the file.
pub(crate) fn read_bpu(path: &std::path::Path, lot: u8) -> Result<Vec<BpuLine>> {
    let bytes = std::fs::read(path).map_err(|e| Failure::new(format!("cannot read `{}`: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| Failure::new(format!("`{}` is not UTF-8 text", path.display())))?;
    let delimiter = if text.lines().next().is_some_and(|h| h.contains(';')) { b';' } else { b',' };
    let mut rd = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = rd.headers()?.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(code), Some(label), Some(unit), Some(price)) = (col("code"), col("label"), col("unit"), col("price"))
    else {
        return Err(Failure::new(format!(
            "`{}`: the header must name the columns code, label, unit, price (and reference_price)",
            path.display()
        ))
        .into());
    };
    let reference = col("reference_price");
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, rec) in rd.records().enumerate() {
        let n = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {n}: {e}"));
                continue;
            }
        };
        let get = |c: usize| rec.get(c).map(str::trim).unwrap_or_default();
        let line = (|| -> Result<BpuLine, String> {
            let c = get(code);
            if c.is_empty() || c.len() > 64 || c.contains([':', ' ']) {
                return Err(format!("`{c}` is not a code (1 to 64 characters, no space or colon)"));
            }
            if !seen.insert(c.to_string()) {
                return Err(format!("code `{c}` appears twice"));
            }
            if get(label).is_empty() {
                return Err("the label is empty".into());
            }
            let price_cents = money::parse_cents(get(price)).map_err(|e| e.to_string())?;
            let reference_cents = match reference.map(get).filter(|s| !s.is_empty()) {
                Some(r) => Some(money::parse_cents(r).map_err(|e| e.to_string())?),
                None => None,
            };
            if price_cents < 0 || reference_cents.is_some_and(|r| r < 0) {
                return Err("prices cannot be negative".into());
            }
            Ok(BpuLine {
                lot,
                code: c.to_string(),
                label: get(label).to_string(),
                unit: get(unit).to_string(),
                price_cents,
                reference_cents,
            })
        })();
        match line {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(format!("line {n}: {e}")),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::new(format!(
            "`{}` was not imported, {} bad line(s):\n  {}",
            path.display(),
            errors.len(),
            errors.join("\n  ")
        ))
        .hint("correct these lines and import the file again: nothing was changed")
        .into());
    }
    if lines.is_empty() {
        return Err(Failure::new(format!("`{}` has no price line", path.display())).into());
    }
    Ok(lines)
}

pub(super) fn bpu(ctx: &mut Ctx, cmd: BpuCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        BpuCmd::Import { file, lot } => {
            let lot: Lot = lot.parse()?;
            let lines = read_bpu(&file, lot.number())?;
            store.mutate(&ctx.draft("bpu import", Some(format!("lot:{}", lot.number()))), |tx| {
                tx.replace_bpu(lot.number(), &lines)
            })?;
            if ctx.out.format == crate::output::Format::Table {
                ctx.out.line(&format!("imported {} price lines for lot {}", lines.len(), lot.number()))?;
            } else {
                ctx.out.list(&lines)?;
            }
        }
        BpuCmd::Show { lot, code } => {
            let lot: Lot = lot.parse()?;
            let line = store.bpu(Some(lot.number()))?.into_iter().find(|l| l.code == code).ok_or_else(|| {
                Failure::new(format!("`{code}` is not a price line of lot {}", lot.number()))
                    .hint(format!("`amoe bpu list --lot {}` shows the codes", lot.number()))
            })?;
            ctx.out.show(&line)?;
        }
        BpuCmd::List { lot } => {
            let lot = lot.map(|l| l.parse::<Lot>()).transpose()?.map(Lot::number);
            ctx.out.list(&store.bpu(lot)?)?;
        }
    }
    Ok(Exit::Success)
}

// ---- Orders ----

impl Tabular for Order {
    const HEADERS: &'static [&'static str] = &["id", "date", "number", "beneficiary", "lot", "lines", "total_ht"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.id),
            Cell::text(&self.ordered_on),
            Cell::text(&self.number),
            Cell::text(&self.beneficiary),
            Cell::text(self.lot),
            Cell::text(
                self.lines
                    .iter()
                    .map(|l| format!("{}×{}", l.code, quantity(l.quantity_milli)))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Cell::text(money::plain(self.total_cents)),
        ]
    }
}

/// Thousandths as a short decimal (`2.5`, `12`).
pub(crate) fn quantity(milli: i64) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{}.{}", milli / 1000, format!("{:03}", milli % 1000).trim_end_matches('0'))
    }
}

fn order_lines(specs: &[String], bpu: &[BpuLine], lot: u8) -> Result<Vec<OrderLine>> {
    specs
        .iter()
        .map(|spec| {
            let mut parts = spec.splitn(3, ':');
            let (Some(code), Some(qty)) = (parts.next(), parts.next()) else {
                return Err(usage(format!("`{spec}` is not a line: expected CODE:QUANTITY[:PRICE]")));
            };
            let b = bpu.iter().find(|b| b.code == code).ok_or_else(|| {
                anyhow::Error::from(
                    Failure::new(format!("`{code}` is not a price line of lot {lot}"))
                        .hint(format!("`amoe bpu list --lot {lot}` shows the codes; `amoe bpu import` loads them")),
                )
            })?;
            let quantity_milli = money::parse_quantity(qty).map_err(usage)?;
            let price_cents = match parts.next() {
                Some(p) => money::parse_cents(p).map_err(usage)?,
                None => b.price_cents,
            };
            if price_cents < 0 {
                return Err(usage(format!("`{spec}`: a price cannot be negative")));
            }
            Ok(OrderLine {
                code: code.to_string(),
                label: b.label.clone(),
                quantity_milli,
                price_cents,
                reference_cents: b.reference_cents,
                amount_cents: money::line_amount(quantity_milli, price_cents),
            })
        })
        .collect()
}

pub(super) fn order(ctx: &mut Ctx, cmd: OrderCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        OrderCmd::Add { beneficiary, number, date, lines, note } => {
            let s = siret(&store, &beneficiary)?;
            let b = store.beneficiary(&s)?;
            let lot = b.lot.map(Lot::number).ok_or_else(|| {
                anyhow::Error::from(
                    Failure::new(format!("beneficiary {s} holds no CANUT lot: orders are placed over a lot's BPU"))
                        .hint(format!("`amoe beneficiary update {s} --lot N` sets its lot")),
                )
            })?;
            let number = number.trim().to_string();
            if number.is_empty() {
                return Err(usage("an order number cannot be empty"));
            }
            let bpu = store.bpu(Some(lot))?;
            let lines = order_lines(&lines, &bpu, lot)?;
            let total_cents = lines.iter().map(|l| l.amount_cents).sum();
            let mut o = Order {
                id: 0,
                beneficiary: s.to_string(),
                lot,
                number,
                ordered_on: day(&date)?,
                note,
                lines,
                total_cents,
            };
            o.id = store.mutate(&ctx.draft("order add", Some(format!("beneficiary:{s}"))), |tx| tx.add_order(&o))?;
            ctx.out.done(&format!("order {} ({}) recorded: {} HT", o.id, o.number, money::plain(o.total_cents)), &o)?;
        }
        OrderCmd::List { from, to, beneficiary } => {
            let (from, to) = (from.as_deref().map(day).transpose()?, to.as_deref().map(day).transpose()?);
            let b = beneficiary.map(|b| b.parse::<Siret>().map(|s| s.to_string())).transpose()?;
            ctx.out.list(&store.orders(from.as_deref(), to.as_deref(), b.as_deref())?)?;
        }
        OrderCmd::Show { id } => {
            let o = store.order(id)?;
            ctx.out.show(&o)?;
            if ctx.out.format == crate::output::Format::Table {
                ctx.out.line("")?;
                ctx.out.list(&o.lines.iter().map(LineRow).collect::<Vec<_>>())?;
            }
        }
        OrderCmd::Update { id, number, date, note } => {
            let date = date.as_deref().map(day).transpose()?;
            store.order(id)?;
            store.mutate(&ctx.draft("order update", Some(format!("order:{id}"))), |tx| {
                tx.update_order(id, number.as_deref(), date.as_deref(), note.as_deref())
            })?;
            let o = store.order(id)?;
            ctx.out.done(&format!("order {id} updated"), &o)?;
        }
    }
    Ok(Exit::Success)
}

#[derive(serde::Serialize)]
struct LineRow<'a>(&'a OrderLine);

impl Tabular for LineRow<'_> {
    const HEADERS: &'static [&'static str] = &["code", "label", "quantity", "unit_price", "amount"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(&self.0.code),
            Cell::text(&self.0.label),
            Cell::text(quantity(self.0.quantity_milli)),
            Cell::text(money::plain(self.0.price_cents)),
            Cell::text(money::plain(self.0.amount_cents)),
        ]
    }
}

// ---- Contracts ----

impl Tabular for Contract {
    const HEADERS: &'static [&'static str] =
        &["id", "beneficiary", "label", "daily_rate", "hours_per_day", "cap_ht", "vat", "from", "to"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.id),
            Cell::text(&self.beneficiary),
            Cell::text(&self.label),
            Cell::text(money::plain(self.daily_rate_cents)),
            Cell::text(quantity(self.minutes_per_day * 1000 / 60)),
            Cell::text(money::plain(self.cap_cents)),
            Cell::text(money::rate(self.vat_bp)),
            Cell::text(&self.starts_on),
            Cell::text(&self.ends_on),
        ]
    }
}

fn apply_terms(c: &mut Contract, t: &ContractTerms) -> Result<()> {
    if let Some(v) = &t.daily_rate {
        c.daily_rate_cents = money::parse_cents(v).map_err(usage)?;
    }
    if let Some(v) = &t.hours_per_day {
        let milli = money::parse_quantity(v).map_err(usage)?;
        if milli % 1000 * 60 % 1000 != 0 || milli > 24_000 {
            return Err(usage(format!("`{v}`: hours per day are whole minutes, at most 24")));
        }
        c.minutes_per_day = milli * 60 / 1000;
    }
    if let Some(v) = &t.cap {
        c.cap_cents = money::parse_cents(v).map_err(usage)?;
    }
    if let Some(v) = &t.vat {
        c.vat_bp = money::parse_rate(v).map_err(usage)?;
    }
    if let Some(v) = &t.from {
        c.starts_on = day(v)?;
    }
    if let Some(v) = &t.to {
        c.ends_on = day(v)?;
    }
    if let Some(v) = &t.label {
        c.label = v.clone();
    }
    if c.daily_rate_cents < 0 || c.cap_cents < 0 {
        return Err(usage("a rate or a cap cannot be negative"));
    }
    if c.ends_on < c.starts_on {
        return Err(usage(format!("the contract ends ({}) before it starts ({})", c.ends_on, c.starts_on)));
    }
    Ok(())
}

pub(super) fn contract(ctx: &mut Ctx, cmd: ContractCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        ContractCmd::Add { beneficiary, terms } => {
            let s = siret(&store, &beneficiary)?;
            let missing: Vec<&str> = [
                ("--daily-rate", terms.daily_rate.is_none()),
                ("--hours-per-day", terms.hours_per_day.is_none()),
                ("--cap", terms.cap.is_none()),
                ("--vat", terms.vat.is_none()),
                ("--from", terms.from.is_none()),
                ("--to", terms.to.is_none()),
            ]
            .into_iter()
            .filter_map(|(f, m)| m.then_some(f))
            .collect();
            if !missing.is_empty() {
                return Err(usage(format!("a contract needs {}", missing.join(", "))));
            }
            let mut c = Contract {
                id: 0,
                beneficiary: s.to_string(),
                label: String::new(),
                daily_rate_cents: 0,
                minutes_per_day: 1,
                cap_cents: 0,
                vat_bp: 0,
                starts_on: String::new(),
                ends_on: String::new(),
            };
            apply_terms(&mut c, &terms)?;
            c.id =
                store.mutate(&ctx.draft("contract add", Some(format!("beneficiary:{s}"))), |tx| tx.add_contract(&c))?;
            ctx.out.done(&format!("contract {} recorded for {s}", c.id), &c)?;
        }
        ContractCmd::List { beneficiary } => {
            let b = beneficiary.map(|b| b.parse::<Siret>().map(|s| s.to_string())).transpose()?;
            ctx.out.list(&store.contracts(b.as_deref())?)?;
        }
        ContractCmd::Show { id } => ctx.out.show(&store.contract(id)?)?,
        ContractCmd::Update { id, terms } => {
            let mut c = store.contract(id)?;
            apply_terms(&mut c, &terms)?;
            store.mutate(&ctx.draft("contract update", Some(format!("contract:{id}"))), |tx| tx.update_contract(&c))?;
            ctx.out.done(&format!("contract {id} updated"), &c)?;
        }
    }
    Ok(Exit::Success)
}

// ---- Interventions ----

impl Tabular for Intervention {
    const HEADERS: &'static [&'static str] =
        &["id", "start", "duration", "beneficiary", "contract", "operator", "ticket", "detail"];
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::text(self.id),
            Cell::text(amoe_core::time::display_local(&self.started_at)),
            Cell::text(format!("{}h{:02}", self.minutes / 60, self.minutes % 60)),
            Cell::text(&self.beneficiary),
            Cell::text(self.contract),
            Cell::text(&self.operator),
            Cell::text(self.ticket.map(|t| format!("#{t}")).unwrap_or_default()),
            Cell::text(&self.detail),
        ]
    }
}

fn contract_of(store: &Store, beneficiary: &str, start: &str) -> Result<i64> {
    let t = start.parse::<jiff::Timestamp>().map_err(usage)?;
    let d = amoe_core::calendar::Calendar::default().date_of(t).to_string();
    store.contract_on(beneficiary, &d)?.map(|c| c.id).ok_or_else(|| {
        Failure::new(format!("beneficiary {beneficiary} has no contract covering {d}"))
            .hint("`amoe contract add` records one; `amoe contract list` shows their periods")
            .into()
    })
}

/// Says on stderr when a contract reaches 80 % of its cap or goes over it: recorded anyway,
/// never blocked (004 art. 3-2).
fn warn_budget(store: &Store, contract: i64) -> Result<()> {
    use crate::reports::interventions::{Budget, budget};
    let c = store.contract(contract)?;
    let minutes: i64 = store.interventions(None, None, None, Some(contract))?.iter().map(|i| i.minutes).sum();
    let consumed = money::mul_div(minutes, c.daily_rate_cents, c.minutes_per_day);
    let how = format!("{} of {} HT", money::plain(consumed), money::plain(c.cap_cents));
    match budget(consumed, c.cap_cents) {
        Budget::Ok => {}
        Budget::Warning => eprintln!("warning: contract {contract} has used 80 % of its cap or more: {how}"),
        Budget::Over => eprintln!("warning: contract {contract} is over its cap: {how} (recorded; tell the customer)"),
    }
    Ok(())
}

pub(super) fn intervention(ctx: &mut Ctx, cmd: InterventionCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        InterventionCmd::Log { beneficiary, start, duration, detail, ticket: t } => {
            let s = siret(&store, &beneficiary)?;
            ticket(&store, t)?;
            let started_at = instant(&start)?;
            let minutes = parse_minutes(&duration).map_err(usage)?;
            if detail.trim().is_empty() {
                return Err(usage("say what was done: --detail cannot be empty"));
            }
            let contract = contract_of(&store, s.as_str(), &started_at)?;
            let mut i = Intervention {
                id: 0,
                contract,
                beneficiary: s.to_string(),
                started_at,
                minutes,
                detail,
                ticket: t,
                operator: ctx.settings.operator.clone(),
            };
            i.id = store.mutate(&ctx.draft("intervention log", Some(format!("beneficiary:{s}"))), |tx| {
                tx.add_intervention(&i)
            })?;
            ctx.out.done(&format!("intervention {} recorded against contract {contract}", i.id), &i)?;
            warn_budget(&store, contract)?;
        }
        InterventionCmd::List { month, beneficiary } => {
            let b = beneficiary.map(|b| b.parse::<Siret>().map(|s| s.to_string())).transpose()?;
            let (from, to) = match month.as_deref().map(Days::month).transpose()? {
                Some(m) => (Some(format_utc(m.start())), Some(format_utc(m.end()))),
                None => (None, None),
            };
            ctx.out.list(&store.interventions(from.as_deref(), to.as_deref(), b.as_deref(), None)?)?;
        }
        InterventionCmd::Show { id } => ctx.out.show(&store.intervention(id)?)?,
        InterventionCmd::Update { id, start, duration, detail, ticket: t } => {
            let mut i = store.intervention(id)?;
            ticket(&store, t)?;
            if let Some(s) = start {
                i.started_at = instant(&s)?;
                i.contract = contract_of(&store, &i.beneficiary, &i.started_at)?;
            }
            if let Some(d) = duration {
                i.minutes = parse_minutes(&d).map_err(usage)?;
            }
            if let Some(d) = detail {
                i.detail = d;
            }
            i.ticket = t.or(i.ticket);
            store.mutate(&ctx.draft("intervention update", Some(format!("intervention:{id}"))), |tx| {
                tx.update_intervention(&i)
            })?;
            ctx.out.done(&format!("intervention {id} updated"), &i)?;
        }
    }
    Ok(Exit::Success)
}

// ---- Incidents ----

impl Tabular for Incident {
    const HEADERS: &'static [&'static str] =
        &["id", "site", "start", "detected_by", "ours", "nature", "measures", "told", "restored", "ticket"];
    fn cells(&self) -> Vec<Cell> {
        let t = |v: &Option<String>| v.as_deref().map(amoe_core::time::display_local).unwrap_or_default();
        vec![
            Cell::text(self.id),
            Cell::text(self.site.as_deref().unwrap_or("*")),
            Cell::text(amoe_core::time::display_local(&self.started_at)),
            Cell::text(&self.detected_by),
            Cell::text(if self.ours { "yes" } else { "no" }),
            Cell::text(&self.nature),
            Cell::text(self.measures.as_deref().unwrap_or_default()),
            Cell::text(t(&self.told_at)),
            Cell::text(t(&self.restored_at)),
            Cell::text(self.ticket.map(|t| format!("#{t}")).unwrap_or_default()),
        ]
    }
}

fn detector(d: Detector) -> String {
    match d {
        Detector::Us => "us".into(),
        Detector::Customer => "customer".into(),
    }
}

fn check_incident(i: &Incident) -> Result<()> {
    for (what, t) in [("told", &i.told_at), ("restored", &i.restored_at)] {
        if let Some(t) = t
            && *t < i.started_at
        {
            return Err(usage(format!("{what} at {t}, before the incident began ({})", i.started_at)));
        }
    }
    if i.nature.trim().is_empty() {
        return Err(usage("say what happened: --nature cannot be empty"));
    }
    Ok(())
}

/// Mails the contacts of the incident's site's beneficiary; the instant it was sent.
fn tell(ctx: &Ctx, store: &Store, i: &Incident, english: bool) -> Result<String> {
    let Some(site) = &i.site else { return Err(Failure::new("no site: whom to tell is unknown").into()) };
    let cfg = ctx.settings.mail.as_ref().ok_or_else(|| {
        Failure::new("no [mail] in config.toml").hint("configure [mail], or pass --no-mail and --told-at")
    })?;
    let s = store.site(&site.parse::<amoe_core::Name>()?)?;
    let b = store.beneficiary(&s.beneficiary)?;
    let to: Vec<String> = b.emails.iter().map(|e| e.to_string()).collect();
    if to.is_empty() {
        return Err(Failure::new(format!("beneficiary {} has no contact address", b.siret)).into());
    }
    let start = amoe_core::time::display_local(&i.started_at);
    let measures = i.measures.as_deref().unwrap_or(if english { "being analysed" } else { "en cours d'analyse" });
    let (subject, body) = if english {
        (
            format!("[amoe] Incident #{} on {site}", i.id),
            format!(
                "Hello,\n\nAn incident affects the site {site} since {start}.\n\nNature: {}\nMeasures: {measures}\n\nWe will tell you when the service is restored.\n",
                i.nature
            ),
        )
    } else {
        (
            format!("[amoe] Incident n°{} sur {site}", i.id),
            format!(
                "Bonjour,\n\nUn incident affecte le site {site} depuis le {start}.\n\nNature : {}\nMesures prises : {measures}\n\nNous vous informerons du rétablissement du service.\n",
                i.nature
            ),
        )
    };
    crate::mail::send(
        cfg,
        &crate::mail::Envelope { to: &to, subject: &subject, body: &body, message_id: None, in_reply_to: None },
    )?;
    Ok(amoe_core::time::now_utc())
}

pub(super) fn incident(ctx: &mut Ctx, cmd: IncidentCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        IncidentCmd::Open {
            site,
            start,
            detected_by,
            ours,
            not_ours,
            nature,
            measures,
            told_at,
            restored_at,
            ticket: t,
            no_mail,
            lang,
        } => {
            if ours == not_ours {
                return Err(usage("say whose equipment failed: --ours or --not-ours (QS-04)"));
            }
            if let Some(s) = &site {
                store.site(&s.parse::<amoe_core::Name>()?)?;
            }
            ticket(&store, t)?;
            let mut i = Incident {
                id: 0,
                site,
                started_at: instant(&start)?,
                detected_by: detector(detected_by),
                ours,
                nature,
                measures,
                told_at: told_at.as_deref().map(instant).transpose()?,
                restored_at: restored_at.as_deref().map(instant).transpose()?,
                ticket: t,
            };
            check_incident(&i)?;
            i.id = store.mutate(&ctx.draft("incident open", i.site.as_ref().map(|s| format!("site:{s}"))), |tx| {
                tx.add_incident(&i)
            })?;
            let mut exit = Exit::Success;
            if !no_mail && i.told_at.is_none() && i.site.is_some() {
                match tell(ctx, &store, &i, lang == "en") {
                    Ok(at) => {
                        i.told_at = Some(at);
                        store.mutate(&ctx.draft("incident told", Some(format!("incident:{}", i.id))), |tx| {
                            tx.update_incident(&i)
                        })?;
                    }
                    Err(e) => {
                        eprintln!("warning: incident {} recorded, but the customer was not told: {e:#}", i.id);
                        eprintln!("hint: tell them, then `amoe incident update {} --told-at TIME`", i.id);
                        exit = Exit::Partial;
                    }
                }
            }
            ctx.out.done(&format!("incident {} recorded", i.id), &i)?;
            return Ok(exit);
        }
        IncidentCmd::Close { id, restored_at, measures } => {
            let mut i = store.incident(id)?;
            i.restored_at = Some(instant(&restored_at)?);
            i.measures = measures.or(i.measures);
            check_incident(&i)?;
            store.mutate(&ctx.draft("incident close", Some(format!("incident:{id}"))), |tx| tx.update_incident(&i))?;
            ctx.out.done(&format!("incident {id} closed"), &i)?;
        }
        IncidentCmd::Update { id, start, detected_by, ours, nature, measures, told_at, restored_at, ticket: t } => {
            let mut i = store.incident(id)?;
            ticket(&store, t)?;
            if let Some(s) = start {
                i.started_at = instant(&s)?;
            }
            if let Some(d) = detected_by {
                i.detected_by = detector(d);
            }
            i.ours = ours.unwrap_or(i.ours);
            i.nature = nature.unwrap_or(i.nature);
            i.measures = measures.or(i.measures);
            if let Some(v) = told_at {
                i.told_at = Some(instant(&v)?);
            }
            if let Some(v) = restored_at {
                i.restored_at = Some(instant(&v)?);
            }
            i.ticket = t.or(i.ticket);
            check_incident(&i)?;
            store.mutate(&ctx.draft("incident update", Some(format!("incident:{id}"))), |tx| tx.update_incident(&i))?;
            ctx.out.done(&format!("incident {id} updated"), &i)?;
        }
        IncidentCmd::List { month } => {
            let (from, to) = match month.as_deref().map(Days::month).transpose()? {
                Some(m) => (Some(format_utc(m.start())), Some(format_utc(m.end()))),
                None => (None, None),
            };
            ctx.out.list(&store.incidents(from.as_deref(), to.as_deref())?)?;
        }
        IncidentCmd::Show { id } => ctx.out.show(&store.incident(id)?)?,
    }
    Ok(Exit::Success)
}

// ---- Change requests ----

impl Tabular for ChangeRequest {
    const HEADERS: &'static [&'static str] =
        &["id", "site", "asked", "pushed", "effective", "waiting", "ticket", "detail"];
    fn cells(&self) -> Vec<Cell> {
        let t = |v: &Option<String>| v.as_deref().map(amoe_core::time::display_local).unwrap_or_default();
        vec![
            Cell::text(self.id),
            Cell::text(&self.site),
            Cell::text(amoe_core::time::display_local(&self.asked_at)),
            Cell::text(t(&self.pushed_at)),
            Cell::text(t(&self.effective_at)),
            Cell::list(&self.waiting_hosts),
            Cell::text(self.ticket.map(|t| format!("#{t}")).unwrap_or_default()),
            Cell::text(&self.detail),
        ]
    }
}

pub(super) fn change(ctx: &mut Ctx, cmd: ChangeCmd) -> Result<Exit> {
    let mut store = ctx.open()?;
    match cmd {
        ChangeCmd::Add { site, asked_at, detail, ticket: t } => {
            store.site(&site.parse::<amoe_core::Name>()?)?;
            ticket(&store, t)?;
            let asked = match asked_at {
                Some(a) => instant(&a)?,
                None => amoe_core::time::now_utc(),
            };
            if detail.trim().is_empty() {
                return Err(usage("say what was asked: --detail cannot be empty"));
            }
            let id = store.mutate(&ctx.draft("change add", Some(format!("site:{site}"))), |tx| {
                tx.add_change(&site, &asked, &detail, t)
            })?;
            let c = store.change(id)?;
            ctx.out.done(&format!("change request {id} recorded: the next push of `{site}` carries it"), &c)?;
        }
        ChangeCmd::List { site } => ctx.out.list(&store.changes(site.as_deref())?)?,
        ChangeCmd::Show { id } => ctx.out.show(&store.change(id)?)?,
        ChangeCmd::Update { id, asked_at, detail, ticket: t } => {
            store.change(id)?;
            ticket(&store, t)?;
            let asked = asked_at.as_deref().map(instant).transpose()?;
            store.mutate(&ctx.draft("change update", Some(format!("change:{id}"))), |tx| {
                tx.update_change(id, asked.as_deref(), detail.as_deref(), t)
            })?;
            ctx.out.done(&format!("change request {id} updated"), &store.change(id)?)?;
        }
    }
    Ok(Exit::Success)
}
