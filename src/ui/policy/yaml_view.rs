//! The YAML, highlighted line by line as text in styled spans (never as HTML); very long YAML
//! is one plain text node, so an update stays one replacement.

use leptos::prelude::*;

use crate::engine::policy::highlight::{tokens, TokenKind};

/// Up to how many lines the YAML is highlighted (beyond, it is plain text).
const HIGHLIGHTED_LINES: usize = 1500;

fn token_class(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Plain => "",
        TokenKind::Key => "fp-yaml__key",
        TokenKind::Dash => "fp-yaml__dash",
        TokenKind::Quoted => "fp-yaml__quoted",
        TokenKind::Number => "fp-yaml__number",
        TokenKind::Scalar => "fp-yaml__scalar",
        TokenKind::Separator => "fp-yaml__separator",
    }
}

/// One line of the YAML, keyed by its text and how many equal lines came before it, so a
/// change re-renders only the lines it touched.
#[derive(Clone, PartialEq)]
struct YamlLine {
    key: (String, usize),
}

fn yaml_lines(yaml: &str) -> Vec<YamlLine> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    yaml.lines()
        .map(|line| {
            let count = seen.entry(line).or_insert(0);
            *count += 1;
            YamlLine {
                key: (line.to_string(), *count),
            }
        })
        .collect()
}

/// One line as text in styled spans.
fn highlighted_line(line: &str) -> impl IntoView {
    let spans = tokens(line)
        .into_iter()
        .map(|(kind, text)| view! { <span class=token_class(kind)>{text.to_string()}</span> })
        .collect_view();
    view! { <span class="fp-yaml__line">{spans}"\n"</span> }
}

/// The YAML of `yaml`: a scrollable region a keyboard can reach, named for screen readers
/// (a `<pre>` alone has no role that takes a name: axe's `aria-prohibited-attr`).
#[component]
pub fn YamlView(#[prop(into)] yaml: Signal<String>) -> impl IntoView {
    let long = Memo::new(move |_| yaml.with(|y| y.lines().count() > HIGHLIGHTED_LINES));
    view! {
        <pre class="fp-yaml" data-testid="policy-yaml" tabindex="0" role="region" aria-label="Policy YAML">
            {move || if long.get() {
                view! { <code>{move || yaml.get()}</code> }.into_any()
            } else {
                view! {
                    <code>
                        <For
                            each=move || yaml.with(|y| yaml_lines(y))
                            key=|line| line.key.clone()
                            children=|line| highlighted_line(&line.key.0)
                        />
                    </code>
                }
                .into_any()
            }}
        </pre>
    }
}
