//! The second factor's pages: the code asked at sign-in, and an account's set-up page.

use maud::{Markup, html};

use super::{Lang, layout};

/// What these pages tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    WrongCode,
    TooMany(i64),
    Broken,
    AlreadyOn,
    NotStarted,
    AdminMust,
    Started,
}

fn text(lang: Lang, n: Note) -> String {
    match n {
        Note::WrongCode => lang
            .t(
                "Code incorrect ou déjà utilisé : attendez le suivant dans votre application.",
                "Wrong or already used code: wait for the next one in your app.",
            )
            .into(),
        // The sign-in page's words: codes count with passwords.
        Note::TooMany(min) => super::text(lang, super::Msg::TooMany(min)),
        Note::Broken => lang
            .t(
                "Votre second facteur ne peut pas être lu sur ce serveur : demandez à votre interlocuteur de le réinitialiser.",
                "Your second factor cannot be read on this server: ask your contact to reset it.",
            )
            .into(),
        Note::AlreadyOn => lang.t("Le second facteur est déjà en service.", "The second factor is already on.").into(),
        Note::NotStarted => lang.t("Commencez par « Mettre en place ».", "Start with “Set up”.").into(),
        Note::AdminMust => lang
            .t(
                "Les administrateurs doivent garder un second facteur.",
                "Administrators must keep a second factor.",
            )
            .into(),
        Note::Started => lang
            .t(
                "Ajoutez cette clé à votre application d'authentification, puis saisissez le code qu'elle affiche.",
                "Add this key to your authenticator app, then type the code it shows.",
            )
            .into(),
    }
}

fn notice(lang: Lang, n: Option<Note>) -> Markup {
    html! {
        @if let Some(n) = n {
            @let ok = n == Note::Started;
            p.notice.ok[ok] role=(if ok { "status" } else { "alert" }) { (text(lang, n)) }
        }
    }
}

fn code_field(lang: Lang) -> Markup {
    html! {
        label for="code" { (lang.t("Code à 6 chiffres de votre application", "6-digit code from your app")) }
        input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" maxlength="7" required;
    }
}

pub fn code(lang: Lang, csrf: &str, note: Option<Note>) -> Markup {
    let title = lang.t("Second facteur", "Second factor");
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            (notice(lang, note))
            form method="post" action={ "/login/code?lang=" (lang.code()) } {
                input type="hidden" name="csrf" value=(csrf);
                (code_field(lang))
                button type="submit" { (lang.t("Valider", "Confirm")) }
            }
        },
    )
}

/// An account's second factor as the page shows it.
#[derive(Debug, Clone)]
pub struct TotpView {
    /// An administrator who must set it up before anything else.
    pub enrol: bool,
    pub admin: bool,
    pub enabled_at: Option<String>,
    /// A secret shown until its first code: base32, and the `otpauth://` address.
    pub pending: Option<(String, String)>,
}

pub fn totp(lang: Lang, csrf: &str, v: &TotpView, note: Option<Note>) -> Markup {
    let title = lang.t("Second facteur (TOTP)", "Second factor (TOTP)");
    let action = format!("/account/totp?lang={}", lang.code());
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            @if v.enrol {
                p.notice role="alert" { (lang.t(
                    "Les comptes administrateurs doivent mettre en place un second facteur avant de continuer.",
                    "Administrator accounts must set up a second factor before going on.")) }
            }
            (notice(lang, note))
            @if let Some(at) = &v.enabled_at {
                p role="status" { (lang.t("En service depuis le ", "On since ")) (at) "." }
                @if !v.admin {
                    form method="post" action=(action) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="action" value="off";
                        (code_field(lang))
                        button type="submit" { (lang.t("Retirer le second facteur", "Remove the second factor")) }
                    }
                }
            } @else if let Some((key, uri)) = &v.pending {
                dl {
                    dt { (lang.t("Clé à saisir dans l'application", "Key to type into the app")) } dd { code #key { (key) } }
                    dt { (lang.t("Ou cette adresse", "Or this address")) } dd { code { (uri) } }
                }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="confirm";
                    (code_field(lang))
                    button type="submit" { (lang.t("Mettre en service", "Turn on")) }
                }
            } @else {
                p { (lang.t(
                    "Un code à usage unique de votre application (FreeOTP, Aegis, Google Authenticator…) sera demandé à chaque connexion, en plus du mot de passe.",
                    "A one-time code from your app (FreeOTP, Aegis, Google Authenticator…) will be asked at every sign-in, besides the password.")) }
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="start";
                    button type="submit" { (lang.t("Mettre en place", "Set up")) }
                }
            }
        },
    )
}
