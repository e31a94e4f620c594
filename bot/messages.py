"""Every user-facing string partnerbot says, grouped by the part of the bot that says it.

Plain constants and `str.format` templates only, so the wording can be reviewed (and translated) in
one place. Keep each group under its own `# --- <area>` heading. Anything with a count is a
`bot.i18n.Plural` (a whole sentence, or a noun like `CHANNELS` under "counted words" that fills a
`{channels}` field), never a noun with a bracketed plural ending; a refusal that depends on a
status is a sentence per status.

Markup: the text is written in one neutral markup, a small CommonMark subset — the same Markdown admins
write in announcement bodies — and each adapter renders it for its platform (Slack converts it to
mrkdwn, Discord shows it as is, the local adapter and the console print it as written):

- `**bold**`, `_italic_`, `` `code` `` (and fenced code blocks),
- `> quote` at the start of a line (with the space),
- `- item` lines for lists (`• ` lines are plain text and read as bullets everywhere),
- `[label](https://…)` links.

Nothing else is markup: no Slack `*bold*` or `<url|label>`, no Discord `<@id>`, no headings or tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bot.i18n import Message as P
from bot.i18n import Plural, partner_plural

# --- grammar -----------------------------------------------------------------------------------
# Help texts and parse errors of bot/commands.py (`/partner …` and `/partner-admin …`).

PARTNER_HELP: Final = P("""\
**partnerbot — what you can do in this channel**
• `topics` — all topics, marking the ones this channel follows
• `subscribe <topic> [<topic>…]` or `subscribe all` — follow topics (spaces or commas between them)
• `unsubscribe <topic>…` or `unsubscribe all` — stop following topics
• `list` — the topics this channel follows
• `news [<topic>] [<n>]` — the latest announcements (5 by default, up to 20)
• `news search <words>` — search every past announcement (`"exact phrase"`, `regist*` for a prefix)
• `ask <question>` — send a question to the vendor team
• `settings` — show delivery settings; `settings mode immediate|daily|weekly`; \
`settings timezone <IANA name>`; `settings quiet 20:00-08:00` or `settings quiet off`; \
`settings language de` or `settings language off`; \
`settings cap <n>|off|default` — at most n normal announcements a week
• `join <code>` — link this channel to your partner organisation
• `help <command>` — more about one command""")

ADMIN_HELP: Final = """\
**partnerbot admin commands**
• `topic add <slug> "<title>" ["<description>"]` · `topic archive <slug>` · `topic unarchive <slug>` \
· `topic require-approval <slug> [off]` — its announcements need another admin's approval
• `topics` — every topic, archived ones marked, with how many channels follow each and its last \
30 days' deliveries against partner actions
• `invite "<partner name>" tier:<tier> [type:<type>] [region:<region>] [language:<language>]` \
— a one-time join code
• `partner "<name>"` — a partner's card, with its engagement score and trend, its latest actions, \
and announcements received a week against its actions \
· `partner set "<name>" tier:<tier> [type:…] [region:…] \
[language:…] [timezone:…]` · `partner remove "<name>"`
• `broadcast topic:<slug>[,<slug>] [tier:a,b] [type:…] [region:…] [language:…] [audience:<name>] \
[urgent [ack]] [at:"YYYY-MM-DD HH:MM[ local|<IANA zone>]"] [cta:"<label>|<https://…>"]… \
title:"<title>" <body…>` \
— a draft with a preview of its reach. Options and flags come first; everything after `title:"…"` is \
the body, as written; up to 3 `cta:` add link buttons whose clicks `stats <id>` counts
• `send <id>` · `cancel <id>` · `scheduled` · `stats [<id>]` · `acks <id>` — who acknowledged
• `drafts` — open drafts, each with a Cancel button
• `broadcast … every:"monday 09:00 local" [until:"YYYY-MM-DD"] title:"<title>" <body…>` — a recurring \
series (`every:"day 08:30"`, `every:"1st monday 10:00"`…) · `series` — the series with their next \
occurrence · `series start|pause|resume|end <id>` · `series edit <id> [title:"<title>"] [<body…>]`
• `calendar [<weeks>]` — what is scheduled and recurring per day (2 weeks, up to 12), gaps included
• `approve <id>` · `reject <id> <comment>` — decide on what awaits approval (another admin's \
announcement: with approval on, `send` asks for it)
• `reschedule <id> at:"YYYY-MM-DD HH:MM[ local|<IANA zone>]"` — a new time, until the first delivery goes out
• `edit <id> [at:"…"] [title:"<title>"] [<new body…>]` — change it, also every copy already delivered
• `recall <id>` — delete every delivered copy and stop the rest
• `questions` — open partner questions · `answer <question id> <text>`
• `faq <question id> [off]` · `faq <question id> [question:"…"] [answer:"…"]` — reuse an answer for \
every partner (its wording) · `faqs` — the FAQs and how many questions each answered
• `engagement [tier:<tier>] [region:<region>] [topic:<slug>]` — partner engagement scores · \
`quiet` — partners who have gone quiet
• `dashboard` — a one-time sign-in link to the web dashboard, shown only to you
• `audience save <name> [tier:…] [type:…] [region:…] [language:…] [topic:…]` · `audience list` · \
`audience show <name>` · `audience delete <name>` — saved audiences; `broadcast audience:<name> …` \
targets one, resolved when it is sent
• `test <id>` — post a test copy, exactly as partners will see it, here (or in the test channel)
• `translate <id> <language> [update-sent] title:"<title>" <body…>` — the text for partners of that \
language (`de`, `pt-br`…) · `translations <id>` — its translations and who reads each
• `translate <id> <language> draft` — a machine draft of the missing text (with a translator set up), \
never sent until `translate <id> <language> accept` · `translate <id> <language> remove` — drop that text
• `help <command>` — more about one command"""

HELP_POINTER: Final = P("Type `help` to see what you can do.")
DID_YOU_MEAN: Final = P(' — did you mean "{suggestion}"?')
UNKNOWN_COMMAND: Final = P('unknown command "{word}"{did_you_mean}\n' + HELP_POINTER)
# `@partnerbot /partner help`, `/partner /partner help`: the slash command's name typed as a command.
SLASH_NAME_AS_COMMAND: Final = P(' — leave "{word}" out here and write the command itself, e.g. `help`.')
UNKNOWN_SETTING: Final = P('unknown setting "{word}"{did_you_mean}\nUsage: {usage}')
UNKNOWN_TOPIC_ACTION: Final = 'unknown `topic` action "{word}"{did_you_mean}\nUsage: {usage}'
USAGE: Final = P("Usage: {usage}")

UNCLOSED_QUOTE: Final = P(
    "There's an opening {quote} without a closing quote. Close it at the end of the phrase, "
    'e.g. `"Partner pricing"`.'
)
BAD_SLUG: Final = P(
    '"{slug}" isn\'t a valid topic name: topic names are up to 40 lower-case letters, digits and '
    "hyphens, starting with a letter or digit (e.g. `pricing`, `release-notes`)."
)
TOPICS_POINTER: Final = P(" Type `topics` to see them all.")
ALL_ON_ITS_OWN: Final = P(
    "`{command} all` stands on its own: use either `{command} all` or a list of topics."
)

NEWS_COUNT: Final = P("Ask for between 1 and {max} announcements (you wrote {value}), e.g. `news 10`.")
NEWS_TOO_MANY: Final = P("`news` takes at most one topic and one number, e.g. `news security 10`.")
# `news search <words>` (bot/domain/search.py): how to write a search, and what was wrong with one.
SEARCH_HOW: Final = P(
    "Write the words to look for, e.g. `news search deal registration`; put an exact phrase in quotes "
    '(`news search "deal registration"`) and end a word with `*` to match its beginning (`regist*`).'
)
SEARCH_PROBLEMS: Final[Mapping[str, str]] = {
    "empty": P("Tell me what to look for."),
    "too_long": P("That search is too long: keep it under {max} characters."),
    "unclosed_quote": P('A quote is left open — close the phrase with a second `"`.'),
    "bad_star": P("A `*` only goes at the end of a word, as in `regist*`."),
    "short_prefix": P("Give at least {min} letters before a `*`, as in `regist*`."),
    "too_many": P("Search for at most {terms} words or phrases at a time."),
}
ASK_EMPTY: Final = P("Write your question after `ask`, e.g. `ask When does the new price list apply?`")
MODE_INVALID: Final = P(
    '"{value}" isn\'t a delivery mode — choose immediate|daily|weekly, e.g. `settings mode daily`.'
)
TIMEZONE_ONE_WORD: Final = P(
    "Time-zone names have no spaces: use the IANA name, e.g. `settings timezone America/New_York`."
)

TOPIC_TITLE_QUOTES: Final = (
    "Put the title and the description in quotes, e.g. "
    '`topic add pricing "Pricing" "Price lists and discount rules"`.'
)
TITLE_EMPTY: Final = 'The title can\'t be empty, e.g. `title:"Price update for Q3"`.'
TITLE_TOO_LONG: Final = "The title is {length} characters long; keep it to {max} or fewer."
VALUE_TOO_LONG: Final = "{what} is too long: keep it to {max} characters or fewer."
NAME_MISSING: Final = 'Give the partner\'s name first, in quotes, e.g. `invite "Acme GmbH" tier:gold`.'
TIER_MISSING: Final = (
    'Say which tier the partner is in with `tier:<tier>`, e.g. `invite "Acme GmbH" tier:gold`.'
)
ONE_VALUE: Final = "A partner has one {key}: write `{key}:<value>` without commas."
NOT_AN_OPTION: Final = '"{word}" isn\'t an option — after the partner name only {keys} may follow.'
OPTION_UNKNOWN: Final = 'unknown option "{key}:" — `{command}` accepts {keys}.'
OPTION_EMPTY: Final = "`{key}:` needs a value right after the colon, with no space, e.g. `{key}:{example}`."
OPTION_QUOTED_EMPTY: Final = (
    "`{key}:` has nothing between its quotes: give it a value, e.g. `{key}:{example}`."
)
OPTION_TWICE: Final = (
    "`{key}:` appears more than once — give it once (several values go in one option, separated by commas)."
)
OPTION_EXAMPLES: Final[Mapping[str, str]] = {
    "topic": "pricing,security",
    "tier": "gold,platinum",
    "type": "reseller",
    "region": "emea",
    "language": "en",
    "title": '"Price update for Q3"',
    "at": "{at_example}",
    "timezone": "Europe/Berlin",
    "attach": '"./Price list Q3.pdf"',
    "audience": "emea-gold",
    "cta": '"Register now|https://example.com/webinar"',
    "every": '"monday 09:00 local"',
    "until": '"2027-06-30"',
}
BROADCAST_TOPIC_MISSING: Final = (
    "Say which topics this is about with `topic:<slug>` (several: `topic:pricing,security`)."
)
BROADCAST_AUDIENCE_CONFLICT: Final = (
    "`audience:{name}` is the whole audience, so {keys} can't go beside it. Drop them, or save an "
    "audience with those filters (`audience save <name> …`) and use that."
)
BROADCAST_TITLE_MISSING: Final = 'Give the announcement a title with `title:"…"` before the body.'
BODY_BEFORE_TITLE: Final = (
    '"{word}" isn\'t an option or a flag{did_you_mean}\nOptions and the flags `urgent` and `ack` come '
    'first; the body goes after `title:"…"`, e.g. '
    '`broadcast topic:pricing title:"Q3 prices" New price lists are out.`'
)
EDIT_REFUSES: Final = (
    '`edit` can\'t change "{word}": it takes a new `at:"…"` (until the first delivery goes out), a new '
    '`title:"…"` and a new body, e.g. `edit {id} title:"New title" New text.` '
    'A body that starts with "{word}" goes after the title: `edit {id} title:"<title>" {word}…`'
)
EDIT_MISSPELT: Final = '"{word}" looks like a misspelt `{suggestion}:`, so I changed nothing. ' + EDIT_REFUSES
BODY_EMPTY: Final = (
    "The announcement has no text: write the body after the options, "
    'e.g. `broadcast topic:pricing title:"Q3 prices" New price lists are out.`'
)
BODY_TOO_LONG: Final = (
    "The body is {length} characters long; the limit is {max}. Shorten it or link to the details."
)
ID_INVALID: Final = '"{value}" isn\'t {what} number, e.g. `{example}`.'
ANNOUNCEMENT_ID: Final = "an announcement"
QUESTION_ID: Final = "a question"

SETTINGS_MODE_USAGE: Final = P("`settings mode immediate|daily|weekly`")
SETTINGS_TIMEZONE_USAGE: Final = P("`settings timezone <IANA name>`, e.g. `settings timezone Europe/Berlin`")
SETTINGS_QUIET_USAGE: Final = P("`settings quiet 20:00-08:00` or `settings quiet off`")
SETTINGS_LANGUAGE_USAGE: Final = P(
    "`settings language <language tag>`, e.g. `settings language de`, or `settings language off`"
)
SETTINGS_CAP_USAGE: Final = P("`settings cap <n>` (1 to 50), `settings cap off` or `settings cap default`")
TOPIC_ADD_USAGE: Final = '`topic add <slug> "<title>" ["<description>"]`'
TOPIC_ARCHIVE_USAGE: Final = "`topic archive <slug>`"
PARTNER_ACTIONS_USAGE: Final = (
    '`partner "<name>"`, `partner set "<name>" tier:<tier> [type:…] [region:…] [language:…] '
    '[timezone:…]` or `partner remove "<name>"`'
)
TOPIC_UNARCHIVE_USAGE: Final = "`topic unarchive <slug>`"
TOPIC_APPROVAL_USAGE: Final = "`topic require-approval <slug>` or `topic require-approval <slug> off`"
REJECT_EXAMPLE: Final = 'reject 42 "Name the regions in the title."'
COMMENT_WHAT: Final = "The comment"

PARTNER_USAGE: Final[Mapping[str, str]] = {
    "help": P("`help [<command>]`"),
    "topics": P("`topics`"),
    "subscribe": P("`subscribe <topic> [<topic>…]`, or `subscribe all`"),
    "unsubscribe": P("`unsubscribe <topic> [<topic>…]`, or `unsubscribe all`"),
    "list": P("`list`"),
    "news": P("`news [<topic>] [<n>]` or `news search <words>`"),
    "ask": P("`ask <question>`"),
    "settings": P(
        f"`settings`, {SETTINGS_MODE_USAGE}, `settings timezone <IANA name>`, {SETTINGS_QUIET_USAGE}, "
        f"{SETTINGS_CAP_USAGE}; `settings language <language tag>` or `settings language off`"
    ),
    "join": P("`join <code>`"),
}

SERIES_USAGE_TEXT: Final = (
    '`series`, `series start|pause|resume|end <id>` or `series edit <id> [title:"<title>"] [<body…>]`'
)

ADMIN_USAGE: Final[Mapping[str, str]] = {
    "help": "`help [<command>]`",
    "topic": f"{TOPIC_ADD_USAGE}, {TOPIC_ARCHIVE_USAGE}, {TOPIC_UNARCHIVE_USAGE} or {TOPIC_APPROVAL_USAGE}",
    "topics": "`topics`",
    "invite": '`invite "<partner name>" tier:<tier> [type:<type>] [region:<region>] [language:<language>]`',
    "partner": PARTNER_ACTIONS_USAGE,
    "broadcast": (
        "`broadcast topic:<slug>[,<slug>] [tier:a,b] [type:…] [region:…] [language:…] [audience:<name>] "
        '[urgent [ack]] [at:"YYYY-MM-DD HH:MM[ local|<IANA zone>]"] [cta:"<label>|<https://…>"]… '
        "[attach:<path>…] "
        '[every:"<days> HH:MM[ local]" [until:"YYYY-MM-DD"]] title:"<title>" <body…>`'
    ),
    "send": "`send <id>`",
    "cancel": "`cancel <id>`",
    "edit": '`edit <id> [at:"…"] [title:"<title>"] [<new body…>]`',
    "recall": "`recall <id>`",
    "scheduled": "`scheduled`",
    "stats": "`stats [<id>]`",
    "acks": "`acks <id>`",
    "questions": "`questions`",
    "answer": "`answer <question id> <text>`",
    "reschedule": '`reschedule <id> at:"YYYY-MM-DD HH:MM[ local|<IANA zone>]"`',
    "drafts": "`drafts`",
    "engagement": "`engagement [tier:<tier>] [region:<region>] [topic:<slug>]`",
    "quiet": "`quiet`",
    "dashboard": "`dashboard`",
    "audience": (
        "`audience save <name> [tier:…] [type:…] [region:…] [language:…] [topic:…]`, `audience list`, "
        "`audience show <name>` or `audience delete <name>`"
    ),
    "test": "`test <id>`",
    "translate": (
        '`translate <id> <language> [update-sent] title:"<title>" <body…>`, '
        "`translate <id> <language> draft`, `translate <id> <language> accept` or "
        "`translate <id> <language> remove`"
    ),
    "translations": "`translations <id>`",
    "series": SERIES_USAGE_TEXT,
    "calendar": "`calendar [<weeks>]`",
    "approve": "`approve <id>`",
    "reject": "`reject <id> <comment>`",
    "faq": '`faq <question id> [off]` or `faq <question id> [question:"…"] [answer:"…"]`',
    "faqs": "`faqs`",
}

# `help <command>`: the usage line, then what the command does.
COMMAND_HELP: Final = P("{usage}\n{about}")

PARTNER_ABOUT: Final[Mapping[str, str]] = {
    "help": P("Lists the commands, or explains one of them."),
    "topics": P("Lists every topic, marking the ones this channel follows."),
    "subscribe": P(
        "Follows topics in this channel; separate several with spaces or commas. The channel "
        "must first be linked to your organisation with `join <code>`."
    ),
    "unsubscribe": P("Stops following topics in this channel."),
    "list": P("Lists the topics this channel follows."),
    "news": P(
        "Shows the latest announcements this channel may see: 5 unless you give a number (up to 20). "
        "`news search <words>` looks through every announcement this channel may see, of any age, best "
        'match first: `"exact phrase"` for words in that order, `regist*` for words beginning so.'
    ),
    "ask": P("Sends your question to the vendor team; the answer comes back here."),
    "settings": P(
        "Shows or changes how announcements arrive: one by one, or as a daily or weekly digest, "
        "the time zone digests follow, quiet hours in which normal announcements wait, a weekly cap "
        "(normal announcements over it wait for a digest instead of being posted one by one), and the "
        "language partnerbot speaks here (a BCP 47 tag such as `de`; `off` goes back to your "
        "organisation's)."
    ),
    "join": P("Links this channel to your partner organisation with the code your vendor gave you."),
}

ADMIN_ABOUT: Final[Mapping[str, str]] = {
    "help": "Lists the admin commands, or explains one of them.",
    "topic": "Adds a topic partners can follow, archives one (partners no longer see it and broadcasts "
    "can't target it; subscriptions are kept), or brings an archived one back. `topic require-approval "
    "<slug>` makes every announcement about it wait for another admin's approval before it goes out, "
    "whatever `PARTNERBOT_APPROVAL` says; `… off` undoes it.",
    "topics": "Lists every topic, archived ones marked, with how many active channels follow each.",
    "invite": "Creates a partner organisation and a one-time join code for its channel. Tiers, types and "
    "regions must be known values (`PARTNERBOT_TIERS`, `PARTNERBOT_TYPES`, `PARTNERBOT_REGIONS`); the "
    "language is a BCP 47 tag. For a partner that exists it changes nothing: with no options (or the "
    "ones it has) it makes a join code for another of its channels; `partner set` changes the profile.",
    "partner": "Shows a partner's card (profile, channels, subscriptions, last activity, engagement score "
    "and its trend against the window before, the latest five actions), changes its "
    "tier, type, region, language or time zone (`partner set`), or removes it (`partner remove`: its "
    "channels are switched off and pending deliveries stopped; its history stays and `invite` brings "
    "it back).",
    "broadcast": "Creates a draft announcement and shows how many channels and partners it will reach. "
    "One rule: options (`topic:`, `tier:`, `type:`, `region:`, `language:`, `audience:`, `at:`) and the "
    'flags `urgent` and `ack` come first, in any order, then `title:"…"`; everything after the title is the '
    "body, exactly as written — only the whitespace (spaces, tabs, line breaks) before its first and "
    "after its last other character is dropped. So `urgent`, `ack`, `tier:gold` or `at:` after the "
    "title are words of the body. `at:{at_example}` schedules it (vendor time zone); add `local` for "
    "each channel's own clock, or an IANA zone such as `Europe/Berlin`. `urgent ack` asks partners to "
    "acknowledge it; `acks <id>` shows who has. "
    '`cta:"Register now|https://example.com/webinar"` adds a link button under it (up to 3, in the '
    "order written; the label up to 75 characters, the address a whole `http://…` or `https://…` one); "
    "each click is counted per partner and channel, and `stats <id>` shows them. Files: in the console, "
    "`attach:<path>` (once per file, up to 10); on Slack and Discord, use “Broadcast to partners” on a "
    "message that carries the files. The preview lists them and refuses what a target platform can't "
    "take (Discord: 10 MB per file, 25 MB per message; 10 files). "
    '`every:"monday 09:00 local"` (with `until:"YYYY-MM-DD"`) makes it a recurring series instead '
    "(`help series`).",
    "send": "Sends a draft announcement, or schedules it when it has an `at:` time. When it needs "
    "approval (`PARTNERBOT_APPROVAL`, or a topic marked `topic require-approval`), it is posted here "
    "with Approve and Request changes buttons instead, and goes out when another admin approves it.",
    "approve": "Approves what awaits approval for another admin's announcement: its send (it then goes "
    "out, or waits for its time) or an edit of its text (then applied). The author can't approve their "
    "own; an approval is for the text it saw, so an edit after it needs a new one.",
    "reject": "Requests changes to an announcement that awaits approval, with a comment for its author "
    "(the Request changes button asks for it). Nothing goes out; the author edits it and sends again.",
    "cancel": "Cancels a draft, or a scheduled announcement until its first delivery goes out.",
    "edit": "Changes an announcement's title and/or body. Copies already delivered are updated in place "
    "(partner threads and their questions stay), at the same pace as sending; copies not out yet go out "
    'with the new text. The broadcast rule applies: `at:"…"` and `title:"…"` come first, '
    "everything after the title is the new body. `at:` moves a scheduled announcement (as `reschedule`); "
    "other options (`tier:`, `topic:`, `urgent`…) can't be edited.",
    "recall": "Deletes every delivered copy of an announcement and cancels the ones not out yet. Use "
    "`cancel` for a draft.",
    "translate": "Adds the announcement's text in one language, or replaces it. Each partner gets the "
    "text of its language (`de-at` falls back to `de`), else the default text "
    "(`PARTNERBOT_DEFAULT_LANGUAGE`). The language is a BCP 47 tag; the broadcast rule applies: "
    '`title:"…"` comes first and everything after it is the body, as written. For an announcement '
    "already sent, copies delivered in that language keep their text unless `update-sent` comes "
    "before the title: then they are updated in place, like `edit`. With a machine translator "
    "configured (`PARTNERBOT_TRANSLATOR_URL`), `draft` writes a machine draft of the missing text: it "
    "is shown for review and never sent until `accept` (or your own text replaces it). In Slack, the "
    "Broadcast and Edit forms have a Translations section (a title and text per language, Add "
    "language); in Discord, press Add translation under the preview, or use "
    "`/partner-admin translate` (its `machine` option: `draft` or `accept`). `remove` drops a "
    "language's text: its readers get the default text from now on; copies already delivered keep "
    "theirs.",
    "translations": "Lists an announcement's translations: language, title, and how many channels read "
    "each (the default text included).",
    "scheduled": "Lists scheduled announcements and when they go out.",
    "series": 'Lists the recurring series (`broadcast … every:"…"`) with their rule, state and next '
    "occurrence. `series start <id>` starts a draft series, `pause`/`resume` hold and restart it "
    "(occurrences while paused are skipped), `end` stops it for good. `series edit <id> "
    '[title:"…"] [<body…>]` changes the text of the occurrences not drafted yet. Each occurrence is '
    "drafted from the series' text at its time (the earliest channel's, for `local`) and sent like a "
    "scheduled announcement; a restart never skips or repeats one.",
    "calendar": "Shows, per day, what is scheduled and what recurs over the next weeks (2 unless you "
    "give a number, up to 12), times in the vendor's zone and `local` ones marked, and the days with "
    "nothing planned.",
    "stats": "Shows delivery, reactions and questions for one announcement, or for the latest ones.",
    "acks": "Lists who has and hasn't acknowledged an urgent announcement that asks for it.",
    "questions": "Lists the partner questions still waiting for an answer.",
    "answer": "Answers a partner question; the answer is relayed to the partner's thread.",
    "reschedule": "Moves a scheduled announcement, or a draft, to a new time, e.g. "
    "`reschedule 42 at:{at_example}`; the same forms as `broadcast … at:`. Possible until its first "
    "delivery goes out.",
    "drafts": "Lists the drafts not sent or cancelled yet, with a Cancel button for each (or `cancel <id>`).",
    "engagement": "Shows the most and the least engaged partners, the average score per tier and region "
    "and the proactive and reactive actions, over the last `PARTNERBOT_ENGAGEMENT_WINDOW_DAYS` days "
    "(90 by default); e.g. `engagement tier:gold region:emea`. A score is, by default, "
    "`100 * (3 * proactive + 1 * reactive) / (received + 5)`: actions weighed, proactive ones more, "
    "against the announcements the partner received; the weights are settings.",
    "quiet": "Lists the partners who have gone quiet: still receiving announcements but with no action in "
    "the last `PARTNERBOT_QUIET_WEEKS` weeks, or whose score fell by more than "
    "`PARTNERBOT_QUIET_DROP_PERCENT`% against the window before; each with its tier and last action "
    "(what it was and when). The weekly report lists the first ten.",
    "dashboard": "Answers with a sign-in link to the web dashboard that only you see: it signs you in "
    "once, within `PARTNERBOT_DASHBOARD_LINK_MINUTES` minutes (15 by default). Don't share it: ask "
    "`dashboard` again for a new one.",
    "audience": "Saves a named audience — tiers, types, regions, languages (the values `broadcast` accepts) "
    "and optionally the topics its broadcasts are about — lists them, shows one, or deletes one; each with "
    "how many channels and partners it reaches now. Saving a name that exists replaces it and says what "
    'changed. `broadcast audience:<name> title:"…" …` targets it: the draft keeps the name, not the '
    "filters, so the audience as it is when you press Send is the one that gets it. Beside `audience:`, a "
    "broadcast takes no `tier:`, `type:`, `region:` or `language:`, and `topic:` only when the audience "
    "names no topics (or the same ones). An audience that an open draft uses can't be deleted.",
    "test": "Posts a copy of an announcement (a draft, or one scheduled or sent) exactly as partners see "
    "it — text, buttons, each platform's rendering — into this channel, or into the platform's test "
    "channel when one is set (`PARTNERBOT_SLACK_TEST_CHANNEL`, `PARTNERBOT_DISCORD_TEST_CHANNEL`). It is "
    "marked as a test and counted nowhere: no delivery, no stats, no engagement. The preview's "
    "**Send test** button does the same.",
    "faq": "Marks an answered question as FAQ (`off` unmarks it): partners whose question resembles it are "
    "offered its answer before their question goes to the team, whatever announcement they ask about "
    '(if they may see the one it was asked under). `question:"…"` and `answer:"…"` set the wording '
    "partners see (and mark it). Without FAQs, a partner is offered only the answers given under the "
    "announcement they ask about, without another partner's question.",
    "faqs": "Lists the FAQs with how many partner questions each has answered on its own.",
}


# --- partners ----------------------------------------------------------------------------------
# Replies of bot/services/partners.py, in a partner's own channel.

NO_TOPICS_YET: Final = P("There are no topics yet — your vendor team hasn't set any up. Try again later.")
TOPICS_HEADER: Final = P(
    "**Topics** ({count}; this channel follows {mine}). Use the buttons or `subscribe <topic>`."
)
SUBSCRIBE_BUTTON: Final = P("Subscribe")
UNSUBSCRIBE_BUTTON: Final = P("Unsubscribe")
UNKNOWN_TOPIC: Final = P('unknown topic "{slug}"{did_you_mean}' + TOPICS_POINTER)
SUBSCRIBED: Final = P("✅ This channel now gets announcements on {topics}.")
NOTHING_NEW: Final = P("Nothing changed.")
ALREADY_SUBSCRIBED: Final = P("Already following {topics}.")
NOT_LINKED_HINT: Final = P(
    "_This channel isn't linked to a partner organisation yet, so announcements aimed at a tier, type, "
    "region or language won't reach it. Ask your partner manager for a join code, then `join <code>`._"
)
SUBSCRIBE_NEEDS_LINK: Final = P(
    "This channel isn't linked to a partner organisation yet, so it can't follow partner news. "
    "Ask your partner manager for a join code, then type `join <code>` here; after that, "
    "`subscribe <topic>` works."
)
UNSUBSCRIBED: Final = P("This channel no longer gets announcements on {topics}.")
NOTHING_TO_UNSUBSCRIBE: Final = P(
    "This channel wasn't following any of those topics. `list` shows what it follows."
)
NOT_FOLLOWING_TOPIC: Final = P("This channel wasn't following `{topic}`. `list` shows what it follows.")
NO_SUBSCRIPTIONS: Final = P(
    "This channel follows no topics yet. `topics` lists them; `subscribe all` takes everything."
)
SUBSCRIPTIONS: Final = P("**This channel follows {topics}:**\n{lines}")
NEWS_NEEDS_TOPICS: Final = P(
    "This channel follows no topics, so there's no news to show. Try `news <topic>` or `subscribe <topic>`."
)
NO_NEWS: Final = P("No announcements yet on those topics.")
NO_NEWS_ON_TOPIC: Final = P("No announcements yet on `{topic}`.")
NEWS_HEADER: Final = partner_plural("**The latest announcement:**", "**The latest {n} announcements:**")
NEWS_ITEM: Final = P("**{title}** — {date} · {topics}\n{body}")
NEWS_FOUND_HEADER: Final = partner_plural(
    "**One announcement matches “{words}”:**", "**{n} announcements match “{words}”, best first:**"
)
NEWS_FOUND_MORE: Final = P("Showing the best {n}; add words to narrow the search.")
NEWS_FOUND_ITEM: Final = P("**{title}** — {date} · {topics}\n{snippet}")
NO_SEARCH_RESULTS: Final = P(
    "No announcement this channel may see matches “{words}”. Try fewer or other words, or `regist*` "
    "to match the beginning of a word."
)
SHOW_BUTTON: Final = P("Show")
SHOW_GONE: Final = P("That announcement isn't available here any more (it may have been recalled).")
SHOW_FILES: Final = partner_plural("📎 {n} file: {names}", "📎 {n} files: {names}")
SHOW_LINK: Final = P("🔗 {label}: {url}")
# "Show" and an announcement's files: one gone from partnerbot's file store (every platform); the files
# a Slack private message cannot carry (images it shows by link); those over Discord's limits for one
# message. `{link}` is the copy this channel received; without one, the sentence says whom to ask.
SHOW_FILE_GONE: Final = P("📎 {name} is no longer available: its file was removed from partnerbot's storage.")
SHOW_FILES_IN_COPY: Final = partner_plural(
    "📎 A private message can't carry files: open {names} in [the copy this channel received]({link}).",
    "📎 A private message can't carry files: open the {n} files {names} in [the copy this channel "
    "received]({link}).",
)
SHOW_FILES_NO_COPY: Final = partner_plural(
    "📎 A private message can't carry files, and this channel has no copy of the announcement to link "
    "to: ask the vendor's team for {names}.",
    "📎 A private message can't carry files, and this channel has no copy of the announcement to link "
    "to: ask the vendor's team for the {n} files {names}.",
)
SHOW_NOT_ATTACHED_IN_COPY: Final = partner_plural(
    "📎 {names} is not attached here: Discord takes up to 10 files, {limit} each and {total} in all, in "
    "one message. Open it in [the copy this channel received]({link}).",
    "📎 {names} are not attached here: Discord takes up to 10 files, {limit} each and {total} in all, in "
    "one message. Open them in [the copy this channel received]({link}).",
)
SHOW_NOT_ATTACHED_NO_COPY: Final = partner_plural(
    "📎 {names} is not attached here: Discord takes up to 10 files, {limit} each and {total} in all, in "
    "one message. Ask the vendor's team for it.",
    "📎 {names} are not attached here: Discord takes up to 10 files, {limit} each and {total} in all, in "
    "one message. Ask the vendor's team for them.",
)
SETTINGS: Final = P(
    "**Delivery settings for this channel**\n• mode: `{mode}`{digest}\n• time zone: `{timezone}`\n"
    "• quiet hours: {quiet}\n• weekly cap: {cap}\n• language: {language}\n• {partner}"
)
# The language line of `settings`, and `settings language …` (bot/services/languages.py).
LANGUAGE_LINE: Final = P("{language} (`{tag}`, {source})")
LANGUAGE_SOURCES: Final[Mapping[str, str]] = {
    "channel": P("set for this channel"),
    "partner": P("your organisation's language"),
    "platform": P("your Discord language"),
    "default": P("the vendor's default"),
    "admin": P("the admin channel's language"),
}
LANGUAGE_NO_WORDING: Final = P(
    "partnerbot has no wording in {language} yet, so its own messages stay in English; announcements "
    "still arrive in {language} where the vendor wrote a translation."
)
LANGUAGE_SET: Final = P(
    "🌐 This channel now reads {language} (`{tag}`): partnerbot's messages and, where the vendor wrote "
    "one, each announcement's translation."
)
LANGUAGE_OFF: Final = P(
    "🌐 This channel has no language of its own any more; it now reads {language} ({source})."
)
LANGUAGE_INVALID: Final = P(
    '"{value}" isn\'t a language tag I know. Use a BCP 47 tag such as `de`, `fr`, `es`, `ja` or `pt-BR`, '
    "or `settings language off`."
)
LINKED_TO: Final = P("partner: {name} ({tier})")
NOT_LINKED: Final = P("not linked to a partner organisation (`join <code>` links it)")
MODE_IMMEDIATE: Final = P("Announcements will be posted here as soon as they are sent.")
MODE_DIGEST: Final = P(
    "Saved: announcements now arrive here as one {mode} digest, {when} ({timezone}), instead of one by "
    "one. Urgent announcements still arrive at once."
)
BAD_TIMEZONE: Final = P(
    '"{value}" isn\'t a time zone I know{did_you_mean} Use an IANA name such as `Europe/Berlin` or '
    "`America/New_York`."
)
TIMEZONE_SET: Final = P("Time zone for this channel set to `{timezone}`.")
JOINED: Final = P("🤝 This channel is now linked to **{name}** ({tier}). `topics` shows what you can follow.")
JOIN_UNKNOWN: Final = P(
    "That join code doesn't exist. Check it for typos, or ask your partner manager for a new one."
)
JOIN_USED: Final = P("That join code has already been used. Ask your partner manager for a new one.")
JOIN_EXPIRED: Final = P("That join code has expired. Ask your partner manager for a new one.")


# --- feedback ----------------------------------------------------------------------------------
# Questions, answers and their relays (bot/services/feedback.py).

QUESTION_TOO_LONG: Final = P("That question is longer than {max} characters — please shorten it or split it.")
QUESTION_RECEIVED: Final = P(
    "📨 Thanks — your question (#{id}) went to the vendor team. The answer will appear here."
)
WHICH_QUESTION: Final = (
    "This thread has several open questions ({ids}). Start your reply with the question number, "
    "e.g. `#12 Yes, from 1 March.`"
)
NO_SUCH_QUESTION: Final = "There's no question #{id}. `questions` lists the open ones."
NO_SUCH_QUESTION_HERE: Final = (
    "There's no question #{id}. This thread holds {ids}: start your reply with one of those numbers, "
    "e.g. `#{first} Yes, from 1 March.`"
)
QUESTION_NOT_IN_THREAD: Final = (
    "Question #{id} isn't in this thread (it holds {ids}). To answer #{id}, use `answer {id} <text>`, "
    "or reply in the thread where it was relayed."
)
ANSWER_ON_RECALLED: Final = (
    "Announcement #{announcement} was recalled, so question #{id} can't be answered under it: its copy "
    "and the partner's thread were deleted. To answer anyway, use `answer {id} <text>`: the answer then "
    "goes into the partner's channel as a message of its own that quotes the question."
)
ALREADY_ANSWERED: Final = (
    "Question #{id} has been answered already, so nothing was sent. To add to the answer, use "
    "`answer {id} <text>`."
)
ANSWER_QUEUED_RECALLED: Final = (
    "✅ Answer to question #{id} is on its way to {partner}. Announcement #{announcement} was recalled, "
    "so it goes into their channel as a message of its own that quotes the question, not in a thread."
)
ANSWER_EMPTY: Final = "Write the answer after the question number, e.g. `answer 12 Yes, from 1 March.`"
ANSWER_QUEUED: Final = "✅ Answer to question #{id} is on its way to {partner}."
NO_OPEN_QUESTIONS: Final = "No open partner questions. 🎉"
OPEN_QUESTIONS: Final = Plural("**{n} open question:**", "**{n} open questions:**")
OPEN_QUESTION_LINE: Final = "• #{id} {partner} ({tier}, {platform}) on {about}: {text}"
DIRECT_QUESTION: Final = "a direct question"
ADMIN_THREAD_HEADING: Final = (
    "💬 Partner questions on announcement #{id} “{title}” — reply in this thread to answer."
)
# `{language}`: the language the partner reads (bot/services/languages.py), named in the admin's.
QUESTION_RELAYED: Final = (
    "❓ **Question #{id}** from **{partner}** ({tier}, {platform}) — {asker}, reads {language}:\n> {text}"
)
ANSWER_RELAYED: Final = P("💬 **Answer from {admin}** to “{question}”:\n{answer}")
ANSWER_RELAYED_RECALLED: Final = P(
    "💬 **Answer from {admin}** to your question about an announcement that has since been withdrawn:\n"
    "> {question}\n{answer}"
)
VENDOR_TEAM: Final = P("the vendor team")


# --- admin -------------------------------------------------------------------------------------
# Replies of bot/services/admin.py and the checks in bot/core.py.

ADMIN_ONLY_IN_ADMIN_CHANNEL: Final = P(
    "🔒 Admin commands work only in the vendor's admin channel. "
    + "Partners: `/partner help` shows what you can do."
)
ADMIN_ONLY_FOR_ADMINS: Final = "🔒 Only configured partnerbot admins can do that. Ask an admin to add you."
TOPIC_EXISTS: Final = "A topic `{slug}` already exists. Pick another slug, or archive the old one first."
TOPIC_ADDED: Final = "Topic `{slug}` — **{title}** added. Partners can now `subscribe {slug}`."
TOPIC_ARCHIVED: Final = (
    "Topic `{slug}` archived: partners no longer see it in `topics`, and broadcasts can't target it."
)
TOPIC_UNARCHIVED: Final = (
    "Topic `{slug}` is back: partners see it in `topics` again and broadcasts can target it."
)
TOPIC_NOT_ARCHIVED: Final = "Topic `{slug}` isn't archived; nothing changed."
ADMIN_TOPICS_HEADER: Final = Plural("**{n} topic**", "**{n} topics**")
ADMIN_TOPICS_ARCHIVED: Final = Plural(" ({n} archived)", " ({n} archived)")
ADMIN_TOPIC_LINE: Final = "• `{slug}` — {title}{archived} · {followers}"
ADMIN_TOPIC_FOLLOWERS: Final = Plural("{n} channel follows it", "{n} channels follow it")
# After each topic in `topics`: the last 30 days' deliveries against partner actions (over-sending).
ADMIN_TOPIC_LOAD: Final = " · last {days} days: {delivered} delivered, {proactive}, {reactive}"
ADMIN_TOPIC_ARCHIVED_MARK: Final = " _(archived)_"
ADMIN_NO_TOPICS: Final = 'No topics yet. `topic add pricing "Pricing"` adds the first one.'
TOPIC_IS_ARCHIVED: Final = "Topic `{slug}` is archived; broadcasts can't target it."
INVITE_CREATED: Final = (
    "Join code for **{name}** ({tier}): `{code}` — valid until {expires}, once.\n"
    "Send it to the partner; in their channel they type `/partner join {code}`."
)
URGENT_MARK: Final = "🚨 URGENT · "
ACK_PREVIEW: Final = (
    "✅ Partners are asked to **acknowledge** it; those who haven't after {hours} get one reminder."
)
# The preview's parts: the heading and details also make the summary beside a rendered announcement.
PREVIEW_HEADING: Final = "**Preview of announcement #{id}** (draft)"
PREVIEW_DETAILS: Final = "Topics: {topics} · Audience: {audience}"
PREVIEW: Final = PREVIEW_HEADING + "\n———\n{urgent}**{title}**\n{body}\n———\n" + PREVIEW_DETAILS
REACH: Final = (
    "**Reach:** {channels} of {partners}\n"
    "• by platform: {platforms}\n• by tier: {tiers}\n• by region: {regions}"
)
EMPTY_AUDIENCE: Final = (
    "⚠️ Announcement #{id} would reach **no channel**: no active channel follows its topics within "
    "“{audience}”. Widen the audience or pick other topics and broadcast again; "
    "`cancel {id}` drops this draft."
)
SEND_BUTTON: Final = "Send"
CANCEL_BUTTON: Final = "Cancel"
EDIT_BUTTON: Final = "Edit"
RECALL_BUTTON: Final = "Recall"
EDIT_HOW: Final = (
    'To change announcement #{id}, type `edit {id} title:"<new title>" <new body…>` (either part '
    "may be left out). It now reads:\n———\n*{title}*\n{body}"
)
EDIT_NOTHING: Final = 'Nothing to change: give a new `at:"…"`, a new `title:"…"`, a new body, or several.'
EDIT_SAME: Final = "Announcement #{id} already reads like that; nothing was changed."
# The refusals below say what happened, by the announcement's status (AnnouncementStatus values).
_BUSY: Final = "Announcement #{id} was being changed by someone else just then; "
NOT_EDITABLE: Final[Mapping[str, str]] = {
    "draft": _BUSY + "try the edit again.",
    "scheduled": _BUSY + "try the edit again.",
    "sending": _BUSY + "try the edit again.",
    "sent": _BUSY + "try the edit again.",
    "cancelled": "Announcement #{id} was cancelled, so it can't be edited; broadcast it again to send a "
    "new version.",
    "recalled": "Announcement #{id} was recalled, so it can't be edited; broadcast a new announcement "
    "instead.",
}
EDITED_QUEUED: Final = (
    "✏️ Announcement #{id} edited. {copies} already delivered will be updated in place, at the same "
    "pace as sending; anything not delivered yet goes out with the new text."
)
EDITED_UNSENT: Final = "✏️ Announcement #{id} edited; it will go out with the new text."
NOT_RECALLABLE: Final[Mapping[str, str]] = {
    "draft": "Announcement #{id} is still a draft: nothing went out. `cancel {id}` drops it.",
    "scheduled": _BUSY + "try `recall {id}` again.",
    "sending": _BUSY + "try `recall {id}` again.",
    "sent": _BUSY + "try `recall {id}` again.",
    "cancelled": "Announcement #{id} was cancelled before anything went out, so there is nothing to recall.",
    "recalled": "Announcement #{id} was already recalled; there is nothing more to do.",
}
NOT_RECALLABLE_DRAFT: Final = "Announcement #{id} is still a draft: nothing went out. `cancel {id}` drops it."
RECALLED: Final = (
    "↩️ Announcement #{id} “{title}” recalled: {deleting} already delivered will be deleted; "
    "{cancelled} not sent yet will never go out."
)
# The same without a clause that would count nothing ("0 copies … will be deleted").
RECALLED_DELIVERED: Final = (
    "↩️ Announcement #{id} “{title}” recalled: {deleting} already delivered will be deleted."
)
RECALLED_UNSENT: Final = (
    "↩️ Announcement #{id} “{title}” recalled: {cancelled} not sent yet will never go out."
)
RECALLED_NOTHING: Final = (
    "↩️ Announcement #{id} “{title}” recalled. No copy of it had been delivered, and none was waiting "
    "to go out."
)
NO_SUCH_ANNOUNCEMENT: Final = "There's no announcement #{id}. `stats` lists recent ones."
NOT_A_DRAFT: Final[Mapping[str, str]] = {
    "draft": _BUSY + "try `send {id}` again.",
    "scheduled": "Announcement #{id} is already scheduled — `scheduled` shows when it goes out; "
    "`cancel {id}` stops it.",
    "sending": "Announcement #{id} is already being sent — `stats {id}` shows how far it got.",
    "sent": "Announcement #{id} was already sent; sending it again would post it twice. "
    "`stats {id}` shows who got it.",
    "cancelled": "Announcement #{id} was cancelled, so it can't be sent; broadcast it again to send it.",
    "recalled": "Announcement #{id} was recalled, so it can't be sent again; broadcast it again as a new "
    "announcement.",
}
CANNOT_CANCEL: Final[Mapping[str, str]] = {
    "draft": _BUSY + "try `cancel {id}` again.",
    "scheduled": _BUSY + "try `cancel {id}` again.",
    "sending": "Announcement #{id} is already being sent — `recall {id}` stops it and deletes what went out.",
    "sent": "Announcement #{id} was already sent — `recall {id}` deletes every delivered copy.",
    "cancelled": "Announcement #{id} was already cancelled; nothing was sent.",
    "recalled": "Announcement #{id} was already recalled; there is nothing more to stop.",
}
SENDING: Final = "📣 Sending announcement #{id} “{title}” to {channels}. `stats {id}` shows progress."
CANCELLED: Final = "Announcement #{id} “{title}” cancelled; nothing was sent."
BUTTON_EXPIRED: Final = P("That button no longer does anything. Run the command again.")
INTERNAL_ERROR: Final = P(
    "Sorry — something went wrong on our side and it has been logged. Nothing you had saved was lost; "
    "please try again in a moment."
)


# --- live progress of a broadcast (the message the bot keeps up to date in the admin channel) ---

PROGRESS_QUEUED: Final = "📣 **#{id} “{title}”** — queued for {channels}; progress shows here."
PROGRESS_SENDING: Final = (
    "📣 **#{id} “{title}”** — sending\n`{bar}` {percent}% · {sent} sent · {pending} to go · {failed} failed"
)
PROGRESS_HELD: Final = "⏳ {held} waiting on purpose (schedule, quiet hours, digests)"
PROGRESS_DONE: Final = "✅ **#{id} “{title}”** — delivered to {sent} of {channels}; {failed} failed."
PROGRESS_RECALLED: Final = "↩️ **#{id} “{title}”** — recalled: {copies} deleted"
PROGRESS_RECALLING: Final = "↩️ **#{id} “{title}”** — recalling: {deleted} of {copies} deleted so far"
PROGRESS_EDIT: Final = "✏️ Edit: {done} of {copies} updated{failed}"
PROGRESS_UPDATE_FAILED: Final = ", {failed} could not be ({reasons})"
PROGRESS_FAILURES: Final = "Failures by reason:"
PROGRESS_FAILURE_LINE: Final = "• {reason}: {count}"


# --- analytics ---------------------------------------------------------------------------------

NO_ANNOUNCEMENTS_YET: Final = "No announcements yet. `broadcast …` creates the first one."
STATS_RECENT_HEADER: Final = "**Recent announcements**"
STATS_SUMMARY_LINE: Final = (
    "• #{id} {title} — {status}: {delivered}/{targeted} delivered, {failed} failed, {reactions}, {questions}"
)
STATS_TOPICS_HEADER: Final = "**By topic**"
STATS_TOPIC_LINE: Final = "• `{slug}`: {announcements}, {delivered} delivered, {reactions}, {questions}"
STATS_DETAIL: Final = (
    "**#{id} {title}** — {status}\n"
    "• targeted {targeted} · delivered {delivered} · failed {failed} · pending {pending} · "
    "in digest {digest}\n"
    "• reactions: {reactions}\n• questions: {asked} asked, {answered} answered\n"
    "• reach by tier: {tiers}\n• reach by region: {regions}"
)
STATS_FAILURES: Final = "• failures: {reasons}"
# Engagement events (bot/domain/engagement.py) after each announcement's and topic's numbers.
STATS_ACTIONS: Final = "• partner actions: {proactive}, {reactive}"
STATS_ACTIONS_SUFFIX: Final = ", {proactive}, {reactive}"


# --- scheduling --------------------------------------------------------------------------------
# Scheduled broadcasts, digests and quiet hours (bot/when.py, bot/services/scheduling.py,
# bot/services/digests.py), and the digest message partners receive.

# The forms of `at:`; AT_FORMS's example is dated from the clock (bot/when.py `forms`).
AT_FORMS_LIST: Final = (
    '`at:"YYYY-MM-DD HH:MM"` (the vendor time zone), `at:"YYYY-MM-DD HH:MM local"` (each channel\'s own '
    'time zone) or `at:"YYYY-MM-DD HH:MM Europe/Berlin"` (an IANA time zone)'
)
AT_EXAMPLE_SLOT: Final = "{at_example}"
AT_EXAMPLE: Final = '"{day} 09:00"'
AT_FORMS: Final = AT_FORMS_LIST + ", e.g. `at:" + AT_EXAMPLE_SLOT + "`"
AT_INVALID: Final = 'I couldn\'t read the time "{value}". Write it as {forms}.'
AT_AMBIGUOUS: Final = (
    'The date in "{value}" is ambiguous: 01/12 is 1 December in some countries and 12 January in '
    "others. Write it year first, as {forms}."
)
AT_UNKNOWN_ZONE: Final = '"{zone}" isn\'t a time zone I know{did_you_mean} Write the time as {forms}.'
AT_PAST: Final = "{when} has already passed (it is now {now}). Pick a time in the future, written as {forms}."
AT_PAST_LOCAL: Final = Plural(
    "{wall} has already passed in {zone}, where {n} targeted channel is (it is {now} there). "
    "Pick a later time, written as {forms}.",
    "{wall} has already passed in {zone}, where {n} targeted channels are (it is {now} there). "
    "Pick a later time, written as {forms}.",
)
AT_TOO_FAR: Final = (
    "{when} is more than a year ahead; schedule at most 365 days in advance, written as {forms}."
)
TIME_UTC: Final = "{time:%Y-%m-%d %H:%M} UTC"
TIME_IN_ZONE: Final = "{time:%Y-%m-%d %H:%M} {zone}"
SCHEDULE_AT: Final = "{wall} {zone} ({utc})"
SCHEDULE_LOCAL: Final = "{wall} on each channel's own clock (the first at {first}, the last at {last})"
SCHEDULE_LOCAL_ONCE: Final = "{wall} on each channel's own clock (at {first})"
SCHEDULE_LINE: Final = "🕘 **Scheduled for** {when}."
SCHEDULE_HINT: Final = "Send (or `send {id}`) queues it for then; nothing goes out before."
WAIT_QUIET: Final = Plural(
    "🌙 {n} delivery falls in quiet hours and waits for their end: {until}.",
    "🌙 {n} deliveries fall in quiet hours and wait for their end: {until}.",
)
WAIT_DIGEST: Final = Plural(
    "📰 {n} channel gets it in its daily/weekly digest instead, {until}.",
    "📰 {n} channels get it in their daily/weekly digest instead, {until}.",
)
WAIT_ONE_TIME: Final = "at {first}"
WAIT_RANGE: Final = "between {first} and {last}"
SCHEDULED_SENDING: Final = (
    "🕘 Announcement #{id} “{title}” is scheduled for {channels}: {when}. "
    "`scheduled` lists it; `cancel {id}` stops it until the first delivery goes out."
)
NO_SCHEDULED: Final = 'Nothing is scheduled. `broadcast … at:"YYYY-MM-DD HH:MM" …` schedules an announcement.'
SCHEDULED_HEADER: Final = "**Scheduled announcements** ({count})"
SCHEDULED_LINE: Final = "• #{id} {title} — {when} · {waiting} waiting{span}"
CANCEL_TOO_LATE: Final = (
    "Announcement #{id} can't be cancelled any more: its first deliveries have already gone out. "
    "`stats {id}` shows how far it got."
)

DIGEST_DAILY: Final = P("Daily digest · {date}")
DIGEST_WEEKLY: Final = P("Weekly digest · week to {date}")
DIGEST_CATCH_UP: Final = P("What you missed")
DIGEST_HEADER: Final = P("📰 **{label}** — {announcements}")
DIGEST_EVERY_DAY: Final = P("every day at {time}")
DIGEST_EVERY_WEEK: Final = P("every {weekday} at {time}")
SETTINGS_DIGEST: Final = P(" — {when}")

QUIET_SET: Final = P(
    "🌙 Quiet hours set to {quiet} ({timezone}): normal announcements that arrive then wait until "
    "{end}. Urgent ones still arrive at once."
)
QUIET_OFF: Final = P("Quiet hours are off for this channel: announcements arrive whenever they are sent.")
QUIET_INVALID: Final = P(
    '"{value}" isn\'t a quiet-hours window: write it as start-end on a 24-hour clock, e.g. '
    "`settings quiet 20:00-08:00`, or `settings quiet off`."
)
QUIET_SHOW: Final = P("`{quiet}`")
QUIET_SHOW_DEFAULT: Final = P("`{quiet}` (vendor default)")
QUIET_SHOW_NONE: Final = P("off")


# --- reports -----------------------------------------------------------------------------------
# What the bot says on its own in the admin channels: the weekly engagement report
# (bot/services/reports.py) and reminders of unanswered questions (bot/services/reminders.py).

REPORT_HEADER: Final = "📊 **Weekly engagement report** · {start} to {end} ({zone})"
REPORT_DAY: Final = "{day:%a} {day.day} {day:%b} {day:%H:%M}"
REPORT_TOTALS: Final = (
    "{delivered} delivered · {reactions} · {questions} · {unanswered} unanswered for over a day"
)
# The week's engagement events (bot/domain/engagement.py), proactive apart from reactive.
REPORT_ACTIONS: Final = "Partner actions: {proactive} · {reactive}"
PROACTIVE_ACTIONS: Final = Plural("{n} proactive action", "{n} proactive actions")
REACTIVE_ACTIONS: Final = Plural("{n} reactive action", "{n} reactive actions")
# One engagement event kind counted, keyed by `EngagementKind` value.
ENGAGEMENT_KIND_COUNTS: Final[dict[str, Plural]] = {
    "reaction_added": Plural("{n} reaction", "{n} reactions"),
    "reaction_removed": Plural("{n} reaction taken back", "{n} reactions taken back"),
    "helpful": Plural("{n} Helpful press", "{n} Helpful presses"),
    "acknowledged": Plural("{n} acknowledgement", "{n} acknowledgements"),
    "question_asked": Plural("{n} question", "{n} questions"),
    "answer_received": Plural("{n} answer received", "{n} answers received"),
    "news_pulled": Plural("{n} news pull", "{n} news pulls"),
    "news_searched": Plural("{n} news search", "{n} news searches"),
    "subscribed": Plural("{n} subscription", "{n} subscriptions"),
    "unsubscribed": Plural("{n} unsubscription", "{n} unsubscriptions"),
    "muted": Plural("{n} topic muted", "{n} topics muted"),
    "settings_changed": Plural("{n} settings change", "{n} settings changes"),
    "joined": Plural("{n} channel joined", "{n} channels joined"),
    "link_clicked": Plural("{n} link click", "{n} link clicks"),
    "question_self_served": Plural("{n} question self-served", "{n} questions self-served"),
}
# One engagement event in words, keyed by `EngagementKind` value (the partner card, `quiet`, the report).
ENGAGEMENT_ACTIONS: Final[dict[str, str]] = {
    "reaction_added": "reacted",
    "reaction_removed": "took a reaction back",
    "helpful": "pressed Helpful",
    "acknowledged": "acknowledged",
    "question_asked": "asked a question",
    "answer_received": "received an answer",
    "news_pulled": "pulled news",
    "news_searched": "searched news",
    "subscribed": "subscribed",
    "unsubscribed": "unsubscribed",
    "muted": "muted a topic",
    "settings_changed": "changed settings",
    "joined": "joined",
    "link_clicked": "clicked a link",
    "question_self_served": "found an answer that already existed",
}
REPORT_BY_TOPIC: Final = "**By topic**"
REPORT_BY_TIER: Final = "**By tier**"
REPORT_LINE: Final = "• {name}: {delivered} delivered · {reactions} · {questions} · {unanswered} unanswered"
REPORT_TOPIC: Final = "`{slug}`"
REPORT_NO_TOPIC: Final = "direct questions"
# The partners gone quiet in the weekly report, at most `QUIET_SHOWN` (bot/services/reports.py) of them.
REPORT_QUIET_ROW: Final = "• {name} ({tier}) — last action: {last}"
REPORT_QUIET_MORE: Final = Plural("…and {n} more — say `quiet`", "…and {n} more — say `quiet`")
REPORT_FOOTER: Final = "`stats` shows each announcement; `questions` lists the open questions."
REMINDER: Final = (
    "⏰ Question #{id} from **{partner}** ({tier}, {platform}) has waited {age} for an answer{about}:\n"
    "> {text}\n{how}"
)
REMINDER_IN_THREAD: Final = "Reply in this thread starting with `#{id}`, or use `answer {id} …`."
REMINDER_ANSWER: Final = "Answer it with `answer {id} …`."
REMINDER_ABOUT: Final = " (announcement #{id})"
AGE_HOURS: Final = "{hours} h"
AGE_DAYS: Final = "{days} d {hours} h"


# --- acknowledgements --------------------------------------------------------------------------
# `broadcast … urgent ack`, the Acknowledge button under it, `acks <id>` and the reminder
# (bot/services/acks.py).

ACK_NEEDS_URGENT: Final = (
    "`ack` asks partners to acknowledge an **urgent** announcement: write `urgent ack`, "
    'e.g. `broadcast topic:security urgent ack title:"Patch now" …`.'
)
ACK_BUTTON: Final = P("Acknowledge")
ACK_MARK: Final = P("✅ Please acknowledge")
ACK_THANKS: Final = P("✅ Thanks — acknowledged. The vendor team can see that you have read it.")
ACK_ALREADY: Final = P("✅ Already acknowledged by {who} on {when} — nothing more to do.")
ACK_YOU: Final = P("you")
ACK_NOT_NEEDED: Final = P("This announcement doesn't ask for an acknowledgement — nothing to do.")
ACK_NOT_AN_ANNOUNCEMENT: Final = P(
    "That message isn't a partnerbot announcement (any more), so there's nothing to do."
)
ACK_NOT_REQUIRED: Final = (
    "Announcement #{id} doesn't ask for acknowledgement (`broadcast … urgent ack` does)."
)
ACKS_HEADER: Final = "**Acknowledgements of #{id} “{title}”**: {done} of {channels} it was delivered to"
ACKS_NONE_DELIVERED: Final = "Nothing of #{id} has been delivered yet; `stats {id}` shows progress."
ACKS_DONE: Final = "**Acknowledged ({count})**"
ACKS_WAITING: Final = "**Not yet ({count})**"
ACKS_DONE_LINE: Final = "• {partner} ({tier}, {platform}) #{channel} — {who}, {when}"
ACKS_WAITING_LINE: Final = "• {partner} ({tier}, {platform}) #{channel}"
ACKS_UNLINKED: Final = "unlinked channel"
STATS_ACKS: Final = "• acknowledged: {done} of {total} ({rate}) — by tier: {tiers}"
STATS_ACK_TIER: Final = "{tier} {done}/{total}"
ACK_REMINDER: Final = P(
    "⏰ Reminder: please acknowledge the urgent announcement **{title}** above — press **Acknowledge** "
    "under it so the vendor team knows you've read it."
)


# --- counted words -----------------------------------------------------------------------------
# Plural nouns (bot/i18n.py) that fill the `{channels}`-style fields above, chosen by count:
# `CHANNELS(1)` → "1 channel", `CHANNELS(3)` → "3 channels"; never a bracketed plural.

CHANNELS: Final = Plural("{n} channel", "{n} channels")
PARTNERS: Final = Plural("{n} partner", "{n} partners")
TOPICS: Final = partner_plural("{n} topic", "{n} topics")
ANNOUNCEMENTS: Final = partner_plural("{n} announcement", "{n} announcements")
COPIES: Final = Plural("{n} copy", "{n} copies")
DELIVERIES: Final = Plural("{n} delivery", "{n} deliveries")
REACTIONS: Final = Plural("{n} reaction", "{n} reactions")
QUESTIONS: Final = Plural("{n} question", "{n} questions")
PROBLEMS: Final = Plural("{n} problem", "{n} problems")

# How an announcement's status reads in `stats` (AnnouncementStatus values).
STATUS_NAMES: Final[Mapping[str, str]] = {
    "draft": "draft",
    "scheduled": "scheduled",
    "sending": "being sent",
    "sent": "sent",
    "cancelled": "cancelled",
    "recalled": "recalled",
}

# Where the live progress message points for copies an edit or a recall could not change.
PROGRESS_SEE_LOGS: Final = "see the logs"
PROGRESS_SEE_STATS: Final = "see `stats`"

# What each periodic job did, as `partnerbot jobs` shows its last run (bot/jobs.py).
JOB_DIGESTS: Final = Plural("{n} digest made", "{n} digests made")
JOB_REPORTS: Final = Plural("{n} report queued", "{n} reports queued")
JOB_NO_REPORT: Final = "nothing happened: no report"
JOB_REMINDERS: Final = Plural("{n} reminder queued", "{n} reminders queued")
JOB_ACK_REMINDERS: Final = Plural(
    "{n} acknowledgement reminder queued", "{n} acknowledgement reminders queued"
)
JOB_PROGRESS: Final = Plural("{n} progress message updated", "{n} progress messages updated")
JOB_RATE_LIMITS_PRUNED: Final = Plural(
    "{n} idle rate-limit bucket removed", "{n} idle rate-limit buckets removed"
)
JOB_FILES_GC: Final = Plural("{n} unused file removed ({size})", "{n} unused files removed ({size})")

# `partnerbot files gc [--dry-run]` (bot/cli/files.py): one line per file, then a total.
FILES_GC_NONE: Final = "No unused files: every stored file belongs to a live announcement."
FILES_GC_REMOVED: Final = Plural("Removed {n} unused file ({size}).", "Removed {n} unused files ({size}).")
FILES_GC_WOULD_REMOVE: Final = Plural(
    "Would remove {n} unused file ({size}); run without --dry-run to remove it.",
    "Would remove {n} unused files ({size}); run without --dry-run to remove them.",
)
FILES_GC_LINE: Final = "{action} {key} ({size}): {why}"
FILES_GC_ACTION: Final = "removed"
FILES_GC_WOULD: Final = "would remove"
FILES_GC_NAMED: Final = "“{names}”, "
FILES_GC_WHY: Final[Mapping[str, str]] = {
    "closed": "{names}carried only by {announcements}",
    "unlinked": "no announcement carries it (its drafts were discarded)",
    "untracked": "stored for a draft that was never saved",
    "incomplete": "left by an interrupted write",
}
FILES_GC_ANNOUNCEMENT: Final = "#{id} ({state})"

# The roster import (bot/services/roster.py).
UNKNOWN_COLUMNS: Final = Plural(
    "line 1: unknown column {columns} (accepted: {accepted})",
    "line 1: unknown columns {columns} (accepted: {accepted})",
)


# --- roster ------------------------------------------------------------------------------------
# Known values (bot/vocabulary.py), `invite` of a partner that exists, `partner …` (show, set,
# remove; bot/services/roster.py) and the CSV import.

UNKNOWN_VALUE: Final = 'unknown {key} "{value}"{did_you_mean}Accepted {what}: {accepted}.'
UNKNOWN_LANGUAGE: Final = (
    '"{value}" isn\'t a BCP 47 language tag{did_you_mean}Use a tag like `en`, `de` or `pt-BR`.'
)
VOCABULARY_WHAT: Final[Mapping[str, str]] = {
    "tier": "tiers",
    "type": "types",
    "region": "regions",
    "language": "languages",
}
NONE_VALUE: Final = "none"
PROFILE: Final = "tier {tier} · type {type} · region {region} · language {language}"
INVITE_EXISTS_CHANGED: Final = (
    "**{name}** is already a partner ({profile}). Nothing was changed and no join code was made. "
    "To change it: `{fix}`"
)
INVITE_EXISTS_CODE: Final = (
    "**{name}** is already a partner ({profile}); its profile was not touched. A join code for another "
    "of its channels: `{code}` — valid until {expires}, once. To change the profile: "
    '`partner set "{name}" tier:…`'
)
INVITE_RESTORED: Final = (
    "**{name}** was removed on {removed}; it is back with {profile} and its history. "
    "Join code: `{code}` — valid until {expires}, once. In their channel they type `/partner join {code}`."
)
NO_SUCH_PARTNER: Final = 'There\'s no partner "{name}"{did_you_mean}`partnerbot partners list` lists them.'
PARTNER_REMOVED_ALREADY: Final = (
    '**{name}** was removed on {removed}. `invite "{name}" tier:…` brings it back with its history.'
)
PARTNER_CARD: Final = (
    "**{name}**{removed}\n• tier: {tier} · type: {type} · region: {region} · language: {language}\n"
    "• time zone: {timezone}\n• last activity: {activity}"
)
PARTNER_CARD_REMOVED: Final = " (removed on {removed})"
# Over-sending at a glance (bot/services/partner_admin.py `load_text`), the card's last line.
PARTNER_LOAD: Final = "• last {days} days: {received} ({per_week} a week) · {proactive}, {reactive}"
ANNOUNCEMENTS_RECEIVED: Final = Plural("{n} announcement received", "{n} announcements received")
PARTNER_CHANNELS: Final = Plural("• {n} channel:", "• {n} channels:")
# The card's engagement (bot/presenter/roster.py `engagement_lines`): the score as `engagement` computes it,
# its trend against the window before, and the latest actions.
PARTNER_SCORE: Final = (
    "• engagement score over the last {days} days: {score}, {trend} (`engagement` explains the score)"
)
PARTNER_TREND_UP: Final = "up {change} from {previous} the {days} days before"
PARTNER_TREND_DOWN: Final = "down {change} from {previous} the {days} days before"
PARTNER_TREND_STEADY: Final = "steady ({previous} the {days} days before)"
PARTNER_RECENT: Final = Plural("• the latest action:", "• the latest {n} actions:")
PARTNER_NO_ACTIONS: Final = "• no action recorded yet"
PARTNER_ACTION_LINE: Final = "  · {when}: {action}{about}"
PARTNER_ACTION_ANNOUNCEMENT: Final = ' ("{title}")'
PARTNER_ACTION_TOPIC: Final = " (`{slug}`)"
PARTNER_NO_CHANNELS: Final = '• no channels yet: `invite "{name}"` makes a join code for one'
PARTNER_CHANNEL_LINE: Final = "  · {platform} #{channel} · {state} · {mode} · topics: {topics}"
CHANNEL_ACTIVE: Final = "active"
CHANNEL_INACTIVE: Final = "off ({reason})"
NO_TOPICS: Final = "none"
ACTIVITY_NONE: Final = "none yet"
ACTIVITY_DELIVERY: Final = "{when} (an announcement delivered)"
ACTIVITY_FEEDBACK: Final = "{when} (a question, reaction or acknowledgement)"
ACTIVITY_ACTION: Final = "{when} ({action})"
PARTNER_SET_NOTHING: Final = (
    'Say what to change, e.g. `partner set "{name}" tier:gold region:emea` '
    "(tier, type, region, language, timezone)."
)
PARTNER_SET_SAME: Final = "**{name}** already has {changes}; nothing was changed."
PARTNER_UPDATED: Final = "**{name}** updated: {changes}."
PARTNER_CHANGE: Final = "{key} {old} → {new}"
PARTNER_SAME: Final = "{key} {value}"
BAD_PARTNER_TIMEZONE: Final = (
    '"{value}" isn\'t a time zone I know{did_you_mean} Use an IANA name such as `Europe/Berlin`.'
)
PARTNER_REMOVED: Final = Plural(
    "**{name}** removed: {n} channel switched off, its pending deliveries stopped; its history is kept. "
    '`invite "{name}" tier:…` brings it back.',
    "**{name}** removed: {n} channels switched off, their pending deliveries stopped; its history is kept. "
    '`invite "{name}" tier:…` brings it back.',
)
PARTNER_REMOVED_NO_CHANNELS: Final = (
    "**{name}** removed; it had no channels, so nothing else changed and its history is kept. "
    '`invite "{name}" tier:…` brings it back.'
)
PARTNER_NAME_MISSING: Final = (
    'Give the partner\'s name, in quotes if it has spaces, e.g. `partner "Acme GmbH"`.'
)


# --- rescheduling, drafts, DST ------------------------------------------------------------------
# `reschedule <id> at:"…"`, `edit <id> at:"…"`, `drafts` (bot/services/rescheduling.py) and the
# preview's note on a time a DST change moves (bot/services/scheduling.py).

RESCHEDULE_USAGE: Final = (
    'Usage: `reschedule <id> at:"YYYY-MM-DD HH:MM"` (or `… local`, or an IANA zone after the time), '
    "e.g. `reschedule 42 at:{at_example}`"
)
RESCHEDULED: Final = "🕘 Announcement #{id} “{title}” is rescheduled: it now goes out {when}."
RESCHEDULED_DRAFT: Final = "🕘 Draft #{id} “{title}” will go out {when}."
RESCHEDULE_TOO_LATE: Final = (
    "Announcement #{id} can't be rescheduled any more: its first deliveries have already gone out. "
    "`stats {id}` shows how far it got."
)
RESCHEDULE_GONE: Final[Mapping[str, str]] = {
    "cancelled": "Announcement #{id} was cancelled, so it has no time left to change; broadcast it again "
    "to send it.",
    "recalled": "Announcement #{id} was recalled, so it has no time left to change.",
}
NO_DRAFTS: Final = "There are no open drafts. `broadcast …` creates one."
DRAFTS_HEADER: Final = Plural(
    "**{n} open draft** — its Cancel button (or `cancel <id>`) drops it:",
    "**{n} open drafts** — a Cancel button (or `cancel <id>`) drops one:",
)
DRAFT_LINE: Final = "#{id} {title} — by {author}, {created} · {topics}{when}"
DRAFT_WHEN: Final = " · for {when}"
AT_DST_GAP: Final = (
    "⚠️ {time} does not exist in {zone} that day (clocks go forward); it will go out at {actual}."
)
AT_DST_OVERLAP: Final = (
    "⚠️ {time} happens twice in {zone} that day (clocks go back); it will go out at the first, {actual}."
)
AT_DST_GAP_LOCAL: Final = Plural(
    "⚠️ {time} does not exist in {zone} that day (clocks go forward); the {n} channel there gets it "
    "at {actual}.",
    "⚠️ {time} does not exist in {zone} that day (clocks go forward); the {n} channels there get it "
    "at {actual}.",
)
AT_DST_OVERLAP_LOCAL: Final = Plural(
    "⚠️ {time} happens twice in {zone} that day (clocks go back); the {n} channel there gets it at "
    "the first, {actual}.",
    "⚠️ {time} happens twice in {zone} that day (clocks go back); the {n} channels there get it at "
    "the first, {actual}.",
)


# --- the CLI's warnings (bot/cli): printed on stderr, one line each, saying what to do -----------

CLI_WARNING: Final = "partnerbot: warning: "
CLI_NO_CREDENTIALS: Final = (
    "no Slack or Discord credentials are set here, so this process cannot deliver: the announcement "
    "waits in the outbox until `partnerbot run` or `partnerbot worker` runs on this database with "
    "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID/SECRET) or DISCORD_TOKEN set."
)
CLI_PLATFORM_NOT_CONFIGURED: Final = Plural(
    "{n} targeted channel is on {platform}, but {setting} is not set here: its delivery waits in the "
    "outbox until `partnerbot run` or `partnerbot worker` runs with {setting} on this database.",
    "{n} targeted channels are on {platform}, but {setting} is not set here: their deliveries wait in "
    "the outbox until `partnerbot run` or `partnerbot worker` runs with {setting} on this database.",
)
CLI_ADMIN_CHANNEL_ON_TRUST: Final = (
    "PARTNERBOT_ADMIN_CHANNELS is not set here, so --admin-channel {channel} is taken on trust: partner "
    "questions about this announcement go there, and admins can answer them only if `partnerbot run` "
    "has PARTNERBOT_ADMIN_CHANNELS={channel}."
)
CLI_NO_ADMIN_CHANNELS: Final = (
    "PARTNERBOT_ADMIN_CHANNELS is not set, so no channel accepts admin commands and partner questions "
    "have nowhere to go: set it to your admin channel, e.g. PARTNERBOT_ADMIN_CHANNELS={example}."
)
CLI_ADMIN_CHANNEL_UNREACHABLE: Final = (
    "the admin channel {channel} is on {platform}, which is not configured here: set {setting}, or "
    "list an admin channel on a configured platform in PARTNERBOT_ADMIN_CHANNELS."
)

# --- secrets at rest (bot/cli): one line each, exit 2 -------------------------------------------
CLI_SECRET_KEY_MISSING: Final = (
    "OAuth mode (SLACK_CLIENT_ID) keeps each workspace's bot token encrypted, so it needs "
    "PARTNERBOT_SECRET_KEY: make a key with "
    '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
    "and set PARTNERBOT_SECRET_KEY to it in the environment or .env (keep it safe: without it the "
    "stored tokens cannot be read)."
)
CLI_KEY_ROTATED: Final = Plural(
    "Re-encrypted the Slack tokens of {n} stored row under the first key of PARTNERBOT_SECRET_KEY.",
    "Re-encrypted the Slack tokens of {n} stored rows under the first key of PARTNERBOT_SECRET_KEY.",
)
# --- `run` / `worker` start-up (bot/cli/loops.py, bot/cli/processes.py): one line each ------------
CLI_UVLOOP_MISSING: Final = (
    "PARTNERBOT_EVENT_LOOP=uvloop, but uvloop is not installed: install partnerbot[fast] (or uvloop "
    "itself), or set PARTNERBOT_EVENT_LOOP=auto."
)
CLI_PROCESSES_NEED_POSTGRES: Final = (
    "PARTNERBOT_WORKER_PROCESSES={count} needs PostgreSQL: on SQLite every process waits for the "
    "database file's one write lock, so more processes add waiting, not deliveries. Set it to 1, or "
    "use PostgreSQL (PARTNERBOT_DATABASE_URL)."
)
CLI_PROCESSES_OWN_LIMITS: Final = (
    "PARTNERBOT_RATE_LIMITS=process paces each process on its own, so {count} worker processes "
    "would post {count} times faster than the platforms allow: use `shared` (the default on "
    "PostgreSQL) or `off`, or set PARTNERBOT_WORKER_PROCESSES=1."
)
CLI_PROCESS_EXITED: Final = (
    "delivery process {name} exited with code {code} while the others ran, so all of them were "
    "stopped; start partnerbot again (a service manager does it by itself): the deliveries it had "
    "claimed are taken over once their leases run out."
)
# `partnerbot stats --csv FILE`, once the file is written.
CLI_STATS_CSV_WRITTEN: Final = Plural(
    "Wrote {n} announcement to {file}.", "Wrote {n} announcements to {file}."
)

# --- the other buttons under a delivered announcement: Helpful, Mute this topic -------------------
# (bot/core.py `helpful` and `mute`; the same words on every platform).

HELPFUL_THANKS: Final = P("👍 Thanks — marked as helpful.")
NOT_AN_ANNOUNCEMENT: Final = ACK_NOT_AN_ANNOUNCEMENT

# --- personal data (bot/services/privacy.py): `partnerbot partners forget`, the retention job -------

# What a forgotten person's name reads as wherever it was stored (questions, answers, acks, audit…).
FORGOTTEN_PERSON: Final = "a forgotten person"
# What a question's or answer's text, a reminder quoting a question, or an audit entry's details
# read as once PARTNERBOT_RETENTION_DAYS have passed.
TEXT_REMOVED: Final = "(removed after the retention period)"
ANSWERS: Final = Plural("{n} answer", "{n} answers")
ACKNOWLEDGEMENTS: Final = Plural("{n} acknowledgement", "{n} acknowledgements")
AUDIT_ENTRIES: Final = Plural("{n} audit entry", "{n} audit entries")
JOIN_CODES: Final = Plural("{n} join code", "{n} join codes")
ENGAGEMENT_EVENTS: Final = Plural("{n} engagement event", "{n} engagement events")
REMINDERS: Final = Plural("{n} reminder", "{n} reminders")
FORGOT: Final = "Forgot {who}: {what}."
FORGET_CONFIRM: Final = (
    "Forget {who}? Their name and user id will read “a forgotten person” in {what}; "
    "the counts and the announcements stay. This cannot be undone."
)
FORGET_NOT_CONFIRMED: Final = "nothing was forgotten (add --yes to skip the question)"
FORGET_WHOM: Final = (
    'say whom to forget: a name as stored (`partnerbot partners forget "Ana Ruiz"`) or a user id '
    "(`partnerbot partners forget --user slack:U0ANA`), one of the two"
)
FORGET_NO_NAME: Final = (
    'nobody called "{name}" is stored{did_you_mean} Names match exactly as stored; '
    "`partnerbot partners forget --user slack:U0ANA` forgets by user id."
)
FORGET_NO_NAME_END: Final = "."
FORGET_NO_USER: Final = (
    "nothing is stored about {who}: no question, answer, reaction, acknowledgement, "
    "audit entry, announcement or join code carries that user id."
)
FORGET_BAD_USER: Final = (
    '"{given}" is not a user id as partnerbot stores it: write <platform>:<user id>, as in '
    "PARTNERBOT_ADMIN_USERS, without a workspace (user ids are unique on their platform), e.g. "
    "`--user slack:U0ANA` or `--user discord:80351110224678912`"
)
FORGET_SEVERAL: Final = (
    '"{name}" is the name of more than one person ({people}); forget each by user id, '
    "e.g. `partnerbot partners forget --user {first}`"
)
JOB_RETENTION_OFF: Final = "off: PARTNERBOT_RETENTION_DAYS is not set, so everything is kept"
JOB_RETENTION_NOTHING: Final = "nothing older than the retention period left to blank"
JOB_RETENTION: Final = "blanked {what}"

# --- the buttons under a delivered announcement, on every platform -----------------------------
ASK_BUTTON: Final = P("Ask a question")
HELPFUL_BUTTON: Final = P("Helpful")
MUTE_BUTTON: Final = P("Mute this topic")


# --- the Slack adapter (adapters/slack) ----------------------------------------------------------
# Words only Slack shows: Block Kit needs labels the core has no concept of (modals, the feedback
# controls under an announcement).

# Under a delivered announcement:
SLACK_MUTE_PLACEHOLDER: Final = P("Mute a topic…")
SLACK_URGENT_LABEL: Final = P("🚨 **Urgent**")
SLACK_TOPICS_LABEL: Final = P("Topics: {topics}")
SLACK_FALLBACK: Final = "{urgent}{title} ({topics})"
SLACK_FALLBACK_URGENT: Final = P("URGENT: ")

# Modals:
SLACK_BROADCAST_MODAL_TITLE: Final = "Broadcast to partners"
SLACK_BROADCAST_SUBMIT: Final = "Preview"
SLACK_CANCEL: Final = P("Cancel")
SLACK_TITLE_LABEL: Final = "Title"
SLACK_TITLE_PLACEHOLDER: Final = "e.g. New price list for Q3"
SLACK_BODY_LABEL: Final = "Announcement (Markdown)"
SLACK_BODY_CLIPPED: Final = (
    "⚠️ The message has {length:,} characters; an announcement holds at most {max:,}. Only the first "
    "{max:,} are filled in below — shorten it before you preview."
)
SLACK_FILES_FROM_MESSAGE: Final = (
    "📎 The message's files go out with it: {files}. The preview says if a partner's platform can't take one."
)
SLACK_FILES_FIELD: Final = "More files"
SLACK_FILES_HINT: Final = "Sent with the announcement, after the message's own files (10 in all at most)."
SLACK_FILES_UNAVAILABLE: Final = (
    "⚠️ Some of the message's files can't be attached (deleted, or beyond this workspace's history): {files}."
)
SLACK_TOPICS_FIELD: Final = "Topics"
SLACK_TOPICS_PLACEHOLDER: Final = "Choose topics"
SLACK_TOPIC_GROUP: Final = "Topics {first} to {last}"
SLACK_AUDIENCE_HINT: Final = "Leave an audience field empty to reach every partner for it."
SLACK_AUDIENCE_LABELS: Final = {
    "tier": "Tiers",
    "type": "Partner types",
    "region": "Regions",
    "language": "Languages",
}
SLACK_AUDIENCE_PLACEHOLDER: Final = "Any"
SLACK_SAVED_AUDIENCE_FIELD: Final = "Saved audience (optional)"
SLACK_SAVED_AUDIENCE_PLACEHOLDER: Final = "Choose a saved audience"
SLACK_SAVED_AUDIENCE_HINT: Final = (
    "Instead of the filters below: resolved when sent. Topics may be left empty if it names them."
)
SLACK_SAVED_AUDIENCE_WITH_FILTERS: Final = (
    "A saved audience is the whole audience: clear the tier, type, region and language fields, or "
    "clear this one."
)
SLACK_URGENT_FIELD: Final = "Urgency"
SLACK_URGENT_OPTION: Final = "Urgent — deliver at once, even to digest channels"
SLACK_ACK_OPTION: Final = "Partners must acknowledge it (urgent only; one reminder if they don't)"
SLACK_ACK_NEEDS_URGENT: Final = "Asking for acknowledgement needs Urgent ticked too."
SLACK_SEND_AT_FIELD: Final = "Send at (optional)"
SLACK_SEND_AT_HINT: Final = (
    "Leave empty to send when you press Send under the preview. Pick a time to schedule it: "
    "Send then queues it, and nothing goes out before that time."
)
SLACK_SEND_LOCAL_FIELD: Final = "Time zone"
SLACK_SEND_LOCAL_OPTION: Final = "Local time in each partner's time zone"
SLACK_CTA_FIELD: Final = "Buttons (calls to action)"
SLACK_CTA_PLACEHOLDER: Final = "Register now|https://example.com/webinar"
SLACK_CTA_HINT: Final = (
    "Up to 3 link buttons under the announcement, one per line: a label, |, then the full address. "
    "Clicks are counted per partner."
)
SLACK_SEND_LOCAL_HINT: Final = (
    "Ticked, 09:00 means 09:00 on each channel's own clock, so delivery follows the sun. "
    "Unticked, the time is the moment you picked, in your Slack time zone."
)
SLACK_SEND_AT_UNREADABLE: Final = "That time couldn't be read; pick it again."
SLACK_SEND_LOCAL_WITHOUT_TIME: Final = "Pick the date and time to send at, or untick “Local time” below."
SLACK_NO_USER_ZONE: Final = (
    "Slack didn't tell partnerbot your time zone, so it can't tell which local time you picked. "
    "Set your time zone in your Slack profile, or type "
    '`/partner-admin broadcast … at:"YYYY-MM-DD HH:MM local" …`.'
)
SLACK_NO_TOPICS_TO_BROADCAST: Final = (
    "There are no topics yet, so there is nothing to broadcast to. Add one first: "
    '`/partner-admin topic add <slug> "<title>"`.'
)
SLACK_EMPTY_FIELD: Final = "This can't be empty."
SLACK_TOO_LONG_FIELD: Final = "Keep this to {max:,} characters or fewer (now {length:,})."

SLACK_EDIT_MODAL_TITLE: Final = "Edit announcement #{id}"
SLACK_EDIT_MODAL_SHORT_TITLE: Final = "Edit #{id}"  # a modal title holds 24 characters
SLACK_EDIT_SUBMIT: Final = "Save"
SLACK_EDIT_HINT: Final = (
    "Copies partners already got are updated in place, at the same pace as sending; their threads and "
    "questions stay. Copies not sent yet go out with the new text."
)
# The modals' "Translations" section (adapters/slack/variant_fields.py): admin-only words.
SLACK_TRANSLATIONS_HEADING: Final = "**Translations**"
SLACK_TRANSLATIONS_HINT: Final = (
    "Partners reading {default} get the text above; a language below gets its own title and text. "
    "Partners of a language with none get the text above. Add a language with the fields below."
)
SLACK_VARIANT_TITLE_LABEL: Final = "Title in {language} ({tag})"
SLACK_VARIANT_BODY_LABEL: Final = "Text in {language} ({tag})"
SLACK_VARIANT_MACHINE_HINT: Final = (
    "A machine draft, not sent until accepted: saved unchanged it stays a draft; changed, it is your text."
)
SLACK_VARIANT_NEEDS_BOTH: Final = "A translation needs a title and a text: fill in both."
SLACK_VARIANT_CANNOT_REMOVE: Final = (
    "Removing a translation isn't possible here: put its text back, or cancel this edit."
)
SLACK_ADD_LANGUAGE_FIELD: Final = "Add a language"
SLACK_ADD_LANGUAGE_PLACEHOLDER: Final = "Your partners' languages"
SLACK_ADD_TAG_FIELD: Final = "…or another language"
SLACK_ADD_TAG_PLACEHOLDER: Final = "A BCP 47 tag: de, pt-BR, ja…"
SLACK_ADD_LANGUAGE_BUTTON: Final = "Add language"
SLACK_ADD_LANGUAGE_NONE: Final = "Pick a language, or type its tag, then press Add language."
SLACK_ADD_LANGUAGE_THERE: Final = "{language} ({tag}) is in the form already."
SLACK_ADD_LANGUAGE_FULL: Final = "No room for another language in this form: Slack allows 100 blocks."
SLACK_UPDATE_SENT_FIELD: Final = "Copies already delivered"
SLACK_UPDATE_SENT_OPTION: Final = (
    "Also send a new translation to the channels that got the default text (it replaces their copy)"
)

SLACK_RECALL_CONFIRM_TITLE: Final = "Recall #{id}?"
SLACK_RECALL_CONFIRM_TEXT: Final = (
    "Every copy partners got is deleted, and copies not sent yet never go out. This can't be undone."
)
SLACK_RECALL_CONFIRM_YES: Final = "Recall"
SLACK_RECALL_CONFIRM_NO: Final = "Keep it"

SLACK_ASK_MODAL_TITLE: Final = P("Ask a question")
SLACK_ASK_SUBMIT: Final = P("Send")
SLACK_ASK_LABEL: Final = P("Your question for the vendor team")
SLACK_ASK_HINT: Final = P("The answer will appear in the announcement's thread.")

# A reply with more rows than one Slack message holds (50 blocks): the rest are listed whole, without
# their buttons, and whatever still does not fit is counted.
SLACK_MORE_ROWS: Final = partner_plural(
    "…and {n} more (without its button: a Slack message holds only 50 blocks):",
    "…and {n} more (without their buttons: a Slack message holds only 50 blocks):",
)
SLACK_ROWS_LEFT_OUT: Final = partner_plural(
    "…and {n} more line that doesn't fit in one Slack message.",
    "…and {n} more lines that don't fit in one Slack message.",
)


# --- the Discord adapter (adapters/discord) -----------------------------------------------------
# Words only Discord shows: component labels, modal titles and its own refusals.

# Delivered announcements:

DISCORD_FOOTER: Final = P("{topics} · {priority} · announcement #{id}")
DISCORD_DIGEST_FOOTER: Final = P("{topics} · announcement #{id}")
DISCORD_PRIORITY_URGENT: Final = P("urgent")
DISCORD_PRIORITY_NORMAL: Final = P("normal priority")
DISCORD_CONTINUED: Final = P("(continued)")
DISCORD_PARTNER_THREAD: Final = P("Questions and answers")
DISCORD_ADMIN_THREAD: Final = "Partner questions"

DISCORD_ASK_MODAL_TITLE: Final = P("Ask the vendor team")
DISCORD_ASK_LABEL: Final = P("Your question")
DISCORD_ASK_PLACEHOLDER: Final = P("The answer will appear in a thread under this announcement.")
DISCORD_ACK_OPTION: Final = "Partners must acknowledge it (urgent announcements only)"
# ≤ 100 characters (Discord's option description limit).
DISCORD_CTA_OPTION: Final = "A link button: Label|https://… (e.g. Register now|https://example.com/webinar)"

# The /partner command and option descriptions (≤ 100 characters each), localised for each Discord
# client language through discord.py's `app_commands.Translator` (adapters/discord/i18n.py). Command
# and option names stay English: they are what partners type.
DISCORD_PARTNER_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "partner": P("Choose the vendor's topics for this channel, read news, ask"),
    "subscribe": P("Follow topics in this channel"),
    "topics_option": P("Topic names separated by spaces or commas, or: all"),
    "unsubscribe": P("Stop following topics in this channel"),
    "topics": P("Every topic, marking the ones this channel follows"),
    "list": P("The topics this channel follows"),
    "news": P("The latest announcements for this channel"),
    "topic_option": P("Only this topic"),
    "count_option": P("How many (1 to {max})"),
    "search_option": P('Words to look for in every past announcement: "exact phrase", regist* for a prefix'),
    "ask": P("Send a question to the vendor team"),
    "question_option": P("Your question"),
    "settings": P("Show or change how announcements arrive here"),
    "mode_option": P("One by one, or a daily/weekly digest"),
    "timezone_option": P("IANA name, e.g. Europe/Berlin"),
    "language_option": P(
        "The language partnerbot speaks here: a tag such as de, fr, ja; off: your organisation's"
    ),
    "quiet_option": P("Quiet hours with nothing posted, e.g. 20:00-08:00, or off"),
    "cap_option": P("The most normal announcements a week: 1 to 50, off, or default"),
    "join": P("Link this channel to your partner organisation"),
    "code_option": P("The join code your partner manager gave you"),
    "help": P("What partnerbot can do here"),
    "command_option": P("One command to explain"),
}

# Permissions:

DISCORD_NEEDS_PERMISSION: Final = P(
    "🔒 Changing what this channel gets needs the **{permission}** permission in this channel. "
    "Ask someone who manages the channel."
)

# A slash command partnerbot could not match to the ones it registered (Discord may still show an
# older version of it for a few minutes after an update).
DISCORD_COMMAND_NOT_UNDERSTOOD: Final = P(
    "partnerbot could not read that command (Discord may still be showing an older version of it). "
    "Nothing was changed: try again in a minute, or run `/partner help`."
)

# Admin: "Broadcast to partners":

DISCORD_BROADCAST_MODAL_TITLE: Final = "Broadcast to partners"
DISCORD_TITLE_LABEL: Final = "Title"
DISCORD_BODY_LABEL: Final = "Announcement"
DISCORD_TOPICS_LABEL: Final = "Topics (slugs, separated by commas)"
DISCORD_TOPICS_PLACEHOLDER: Final = "e.g. {examples}"
DISCORD_AUDIENCE_LABEL: Final = "Audience and urgency (optional)"
DISCORD_AUDIENCE_PLACEHOLDER: Final = "e.g. tier:gold,platinum region:emea urgent"
DISCORD_AUDIENCE_UNKNOWN_KEY: Final = (
    '"{word}" isn\'t an audience option: use tier:…, type:…, region:…, language:… or the word `urgent`.'
)
# Discord caps a label at 45 characters, its description and an input's placeholder at 100.
DISCORD_SEND_AT_LABEL: Final = "Send at (optional)"
DISCORD_SEND_AT_DESCRIPTION: Final = (
    "YYYY-MM-DD HH:MM, optionally 'local' or a time zone. Empty: send when you press Send."
)
# `{day}`: a date after today (bot/when.py `at_example`), so the example works when copied.
DISCORD_SEND_AT_PLACEHOLDER: Final = "e.g. {day} local, or {day} Europe/Berlin"
DISCORD_SEND_AT_OPTION: Final = "When to send: YYYY-MM-DD HH:MM, optionally 'local' or a time zone"
DISCORD_TOPICS_SELECT: Final = "Topics"
DISCORD_AUDIENCE_SELECT: Final = "Audience: everyone (pick tiers, types, regions, languages to narrow it)"
DISCORD_AUDIENCE_OPTION: Final = "{key}: {value}"
# Picking new topics or audience under a preview whose draft moved on, by the announcement's status.
DISCORD_NOT_A_DRAFT_ANY_MORE: Final = {
    "gone": "Announcement #{id} doesn't exist any more; broadcast again to start a new one.",
    "draft": "Draft #{id} was being changed by someone else just then; pick again.",
    "scheduled": "Announcement #{id} is already scheduled, so its topics and audience are fixed; "
    "`cancel {id}` and broadcast again to change them.",
    "sending": "Announcement #{id} is already being sent, so its topics and audience can't change any more.",
    "sent": "Announcement #{id} was already sent, so its topics and audience can't change any more.",
    "cancelled": "Draft #{id} was cancelled; broadcast again to start a new one.",
    "recalled": "Announcement #{id} was recalled; broadcast again to start a new one.",
}
DISCORD_REDRAFT_FILES_UNREADABLE: Final = (
    "Draft #{id} keeps its topics and audience: its files could not be read again for a new draft. "
    "Start a new broadcast with the files, or send this one as it is."
)
DISCORD_REPLACES_DRAFT: Final = "_Replaces draft #{old}, which was cancelled._"
# "Add translation" under a preview (adapters/discord/translation_form.py): admin-only words.
DISCORD_ADD_TRANSLATION_BUTTON: Final = "Add translation"
DISCORD_TRANSLATION_PICK: Final = "Which language? Pick one to write its text, or to change the one it has."
DISCORD_TRANSLATION_SELECT: Final = "A language…"
DISCORD_TRANSLATION_EDIT_OPTION: Final = "{language} ({tag}) — change its text"
DISCORD_TRANSLATION_MACHINE_OPTION: Final = "{language} ({tag}) — review the machine draft"
DISCORD_TRANSLATION_OTHER_OPTION: Final = "Another language…"
DISCORD_TRANSLATION_MODAL_TITLE: Final = "Translation of #{id}"
DISCORD_TRANSLATION_MODAL_SHORT_TITLE: Final = "Translation"  # a modal title holds 45 characters
DISCORD_LANGUAGE_LABEL: Final = "Language"
DISCORD_LANGUAGE_DESCRIPTION: Final = "A BCP 47 tag: de, de-AT, pt-BR…"
DISCORD_TRANSLATION_BODY_LABEL: Final = "Text"
DISCORD_UPDATE_SENT_LABEL: Final = "Copies already delivered"
DISCORD_UPDATE_SENT_NO: Final = "Keep them: only copies not sent yet get it"
DISCORD_UPDATE_SENT_YES: Final = "Update them: those that got the default too"
DISCORD_TRANSLATE_MACHINE_WITH_TEXT: Final = (
    "`machine: {action}` goes alone: leave out title, body and update_sent (they are for your own text)."
)

# Admin: edit and recall:

# A modal title holds 45 characters.
DISCORD_EDIT_MODAL_TITLE: Final = "Edit announcement #{id}"
DISCORD_EDIT_BODY_LABEL: Final = "Announcement"
DISCORD_EDIT_BODY_DESCRIPTION: Final = "Delivered copies are updated in place; partner threads stay."
# Discord has no confirmation dialog: Recall first asks, privately, with a button that does it.
DISCORD_RECALL_CONFIRM: Final = (
    "Recall announcement #{id}? Every copy partners got is deleted, and copies not sent yet never go "
    "out. This can't be undone."
)
DISCORD_RECALL_CONFIRM_BUTTON: Final = "Yes, recall #{id}"


# --- the local adapter (adapters/local: demo, console, tests) -------------------------------------

LOCAL_ASK_NEEDS_TEXT: Final = P(
    "Write the question after the button, e.g. `:press {message} ask When does it apply?`"
)


# --- engagement score -----------------------------------------------------------------------------
# `engagement` and `quiet` (bot/presenter/engagement.py) and `partnerbot engagement`.

ENGAGEMENT_HEADER: Final = Plural(
    "**Engagement of {n} partner{filters}, last {days} days**",
    "**Engagement of {n} partners{filters}, last {days} days**",
)
ENGAGEMENT_FILTER: Final = "{key}:{value}"
ENGAGEMENT_NONE: Final = "No partner{filters} to score yet. {hint}"
ENGAGEMENT_NONE_HINT: Final = "`invite` adds a partner; `engagement` without options scores every partner."
ENGAGEMENT_TOTALS: Final = "Proactive actions: {proactive} · reactive actions: {reactive}"
ENGAGEMENT_TOP: Final = "**Most engaged**"
ENGAGEMENT_BOTTOM: Final = "**Least engaged**"
ENGAGEMENT_ROW: Final = (
    "• {name} ({tier}) — score {score} · {proactive} proactive, {reactive} reactive, {received}"
)
ENGAGEMENT_RECEIVED: Final = Plural("{n} announcement received", "{n} announcements received")
ENGAGEMENT_TIERS: Final = "**Average by tier:** {averages}"
ENGAGEMENT_REGIONS: Final = "**Average by region:** {averages}"
ENGAGEMENT_AVERAGE: Final = Plural("{name} {score} ({n} partner)", "{name} {score} ({n} partners)")
ENGAGEMENT_NO_REGION: Final = "no region"
ENGAGEMENT_FORMULA: Final = (
    "Score: `100 * ({proactive_weight} * proactive + {reactive_weight} * reactive) "
    "/ (received + {smoothing})`"
)
ENGAGEMENT_NOT_AN_OPTION: Final = (
    '"{word}" isn\'t an option — `engagement` takes only {keys}, e.g. `engagement tier:gold region:emea`.'
)
ENGAGEMENT_ONE_VALUE: Final = (
    "`engagement` scores one {key} at a time: write `{key}:<value>` without commas, "
    "e.g. `engagement {key}:{example}`."
)
ENGAGEMENT_UNKNOWN_TOPIC: Final = 'There is no topic "{slug}": `topics` lists them.'
QUIET_HEADER: Final = Plural("**{n} partner has gone quiet**", "**{n} partners have gone quiet**")
QUIET_NONE: Final = (
    "No partner has gone quiet: every partner that received announcements in the last {weeks} acted in "
    "them, and no score fell by more than {percent}% against the previous {days} days."
)
QUIET_WEEKS: Final = Plural("{n} week", "{n} weeks")
QUIET_NO_ACTION: Final = (
    "• {name} ({tier}) — no action in the last {weeks} while still receiving; last action: {last}"
)
QUIET_SCORE_DROP: Final = "• {name} ({tier}) — score {score}, down from {previous}; last action: {last}"
QUIET_NEVER: Final = "none in the last {days} days"
LAST_ACTION: Final = "{action} on {day}"
QUIET_RULE: Final = (
    "_Gone quiet: still receiving with no action in the last {weeks}, or a score down by more than "
    "{percent}% against the previous {days} days._"
)


# --- the web dashboard ---------------------------------------------------------------------------
# `dashboard` in the admin channel (bot/core.py): a one-time sign-in link, shown only to the caller.

DASHBOARD_LINK: Final = (
    "🔑 Your sign-in link to the partnerbot dashboard, for you only: it works once, within {minutes}.\n"
    "{url}\n"
    "_Don't share it; say `dashboard` again for a new one._"
)
DASHBOARD_LINK_MINUTES: Final = Plural("{n} minute", "{n} minutes")
DASHBOARD_OFF: Final = (
    "The web dashboard is switched off for this partnerbot (`PARTNERBOT_DASHBOARD=false`), so there is "
    "no link to give. Whoever runs partnerbot can switch it on, or print a link on the server with "
    "`partnerbot dashboard link`."
)
PRIVATE_REPLY_ELSEWHERE: Final = (
    "🔒 That answer is for you alone, and a reply to a mention is seen by everyone in the channel. "
    "Use the slash command instead, which answers only you: `/partner-admin {command}`."
)


# --- saved audiences and test sends (`audience …`, `broadcast audience:…`, `test <id>`) -----------
# bot/grammar.py, bot/services/audiences.py, bot/presenter/audiences.py.

UNKNOWN_AUDIENCE_ACTION: Final = 'unknown `audience` action "{word}"{did_you_mean}\nUsage: {usage}'
AUDIENCE_LIST_USAGE: Final = "`audience list`"
AUDIENCE_USAGES: Final[Mapping[str, str]] = {
    "save": "`audience save <name> [tier:…] [type:…] [region:…] [language:…] [topic:…]`",
    "show": "`audience show <name>`",
    "delete": "`audience delete <name>`",
}
AUDIENCE_NAME_INVALID: Final = (
    '"{name}" can\'t be an audience name: use one word of letters, digits and dashes (up to 40), '
    "e.g. `audience save emea-gold tier:gold region:emea`."
)
AUDIENCE_NOT_AN_OPTION: Final = (
    '"{word}" isn\'t an option — after the audience name only {keys} may follow, '
    "e.g. `audience save emea-gold tier:gold region:emea`."
)
AUDIENCE_SAVE_NOTHING: Final = (
    "Say who `{name}` is with at least one filter, e.g. `audience save {name} tier:gold region:emea`."
)
AUDIENCE_FILTER: Final = "{key}: {values}"
AUDIENCE_FILTER_SEP: Final = " · "
AUDIENCE_EVERYONE: Final = "all partners"
AUDIENCE_TOPICS: Final = "topics: {topics}"
AUDIENCE_REACH: Final = "reaches {channels} of {partners} now"
AUDIENCE_SAVED: Final = "💾 Saved audience “{name}” ({filters}) — {reach}. Use it with `{usage}`."
# An audience that names no topics needs `topic:` beside it on `broadcast`, so the hint carries it.
AUDIENCE_USAGE: Final = "broadcast audience:{name} …"
AUDIENCE_USAGE_TOPIC: Final = "broadcast audience:{name} topic:<slug> …"
AUDIENCE_REPLACED: Final = "💾 Saved audience “{name}” replaced: {changes}. It {reach}."
AUDIENCE_UNCHANGED: Final = "Saved audience “{name}” already is {filters}; nothing changed."
AUDIENCE_CHANGE: Final = "{key} {old} → {new}"
AUDIENCE_ANY: Final = "any"
AUDIENCE_NONE_TOPICS: Final = "none"
AUDIENCE_SHOWN: Final = "**Audience “{name}”** — {filters}\n{reach}; saved {when} by {who}."
AUDIENCE_SHOWN_REACH: Final = "It reaches {channels} of {partners} now"
AUDIENCE_LIST_HEADER: Final = Plural("**{n} saved audience**", "**{n} saved audiences**")
AUDIENCE_LIST_LINE: Final = "• `{name}` — {filters} · {reach}"
AUDIENCE_LIST_NONE: Final = (
    "No saved audiences yet. `audience save emea-gold tier:gold region:emea` saves one; "
    "`broadcast audience:emea-gold topic:<slug> …` then targets it (`topic:` may be left out when "
    "the audience names its topics: `audience save emea-gold tier:gold region:emea topic:<slug>`)."
)
AUDIENCE_DELETED: Final = "🗑️ Saved audience “{name}” deleted."
AUDIENCE_IN_USE: Final = Plural(
    "Saved audience “{name}” is used by open draft {drafts}, so it wasn't deleted. Send or cancel it "
    "first, or save the audience again with other filters.",
    "Saved audience “{name}” is used by {n} open drafts ({drafts}), so it wasn't deleted. Send or cancel "
    "them first, or save the audience again with other filters.",
)
AUDIENCE_DRAFT: Final = "#{id} “{title}”"
NO_SUCH_AUDIENCE: Final = 'There\'s no saved audience "{name}"{did_you_mean} `audience list` lists them.'
AUDIENCE_TOPIC_CONFLICT: Final = (
    "Saved audience “{name}” is about {saved}, and this broadcast names {given}. Leave out `topic:` to use "
    "the audience's topics, or save the audience again."
)
AUDIENCE_NEEDS_TOPIC: Final = (
    "Saved audience “{name}” names no topics, so say which topics this is about with `topic:<slug>`, "
    'e.g. `broadcast audience:{name} topic:pricing title:"…" …`.'
)
# The preview's audience line for a broadcast to a saved audience.
AUDIENCE_REFERENCE: Final = "audience “{name}” ({filters}) — resolved when sent"
AUDIENCE_REFERENCE_SENT: Final = "audience “{name}” ({filters})"

TEST_BUTTON: Final = "Send test"
TEST_QUEUED: Final = (
    "🧪 A test copy of announcement #{id} “{title}” is on its way to {channel}; no partner gets it."
)
TEST_FILES_REFUSED: Final = (
    "No test copy of announcement {id} was queued: this platform can't take its files.\n{problems}"
)
TEST_HERE: Final = "this channel"
TEST_CHANNEL: Final = "the test channel"
# The line above a test copy (its neutral markup is rendered like the announcement around it).
TEST_MARK: Final = (
    "🧪 **Test copy** of announcement #{id} — posted only here; no partner got it, nothing is counted."
)
TEST_CTA_NOT_COUNTED: Final = "_🧪 A test copy: this click was not counted._"
TEST_COPY_PRESSED: Final = (
    "🧪 This is a test copy, so nothing was recorded — partners' buttons work on their own copies."
)
TEST_NOT_AVAILABLE: Final[Mapping[str, str]] = {
    "cancelled": "Announcement #{id} was cancelled, so there's nothing to test. "
    "`broadcast …` starts a new one.",
    "recalled": "Announcement #{id} was recalled, so there's nothing to test. "
    "`broadcast …` starts a new one.",
}
# --- calls to action (bot/domain/cta.py, bot/services/cta.py) -----------------------------------

CTA_EXAMPLE: Final = 'cta:"Register now|https://example.com/webinar"'
CTA_FORM: Final = (
    "A call to action is a button label and a web address with `|` between them — `{written}` has no "
    "`|`. Write it like `" + CTA_EXAMPLE + "`."
)
CTA_LABEL: Final = (
    "A call to action's button label needs 1 to {max} characters (and no `|`): `{written}`. "
    "For example `" + CTA_EXAMPLE + "`."
)
CTA_URL: Final = (
    "`{url}` is not a web address partners can open. Give the whole address, starting with "
    "`https://` (or `http://`) and a host, like `" + CTA_EXAMPLE + "`."
)
CTA_URL_TOO_LONG: Final = (
    "That call to action's address is {length} characters; the limit is {max}, so that every "
    "platform can show it. Use a shorter link."
)
CTA_TOO_MANY: Final = "An announcement can carry up to {max} calls to action (`cta:`); this one has {count}."
CTA_EMPTY: Final = "`cta:` needs a label and an address, e.g. `" + CTA_EXAMPLE + "`."
# The preview (one line per CTA) and `stats <id>`.
CTA_PREVIEW_HEADER: Final = "Buttons:"
CTA_PREVIEW_LINE: Final = "• **{label}** → {url}"
STATS_CTA_HEADER: Final = "• clicks:"
STATS_CTA_LINE: Final = "  ◦ **{label}**: {clicks}{by}"
STATS_CTA_BY: Final = " (by tier: {tiers}; by region: {regions})"
CLICKS: Final = Plural("{n} click", "{n} clicks")
# A Discord button (no PARTNERBOT_PUBLIC_URL) answers the partner who pressed it, and only them.
CTA_OPENED: Final = "**{label}**\n{url}"
# The redirect's page when a link is not (or no longer) one partnerbot made.
CTA_REDIRECT_NOT_FOUND: Final = "This link is not valid. Ask whoever sent it for a new one."

# --- Translated announcements (`translate`, `translations`, the preview's languages) ---------------
TRANSLATE_EXAMPLE: Final = 'translate 42 de title:"Neue Preise" Die neuen Preislisten sind da.'
TRANSLATE_LANGUAGE_MISSING: Final = (
    "Which language is this text in? Give its BCP 47 tag after the announcement's number, e.g. `"
    + TRANSLATE_EXAMPLE
    + "`."
)
TRANSLATE_LANGUAGE_TOO_LONG: Final = (
    "A language tag has at most {max} characters, e.g. `de`, `de-at` or `pt-br`."
)
TRANSLATE_TITLE_MISSING: Final = (
    'A translation needs its own title: write `title:"…"` after the language, then the body, e.g. `'
    + TRANSLATE_EXAMPLE
    + "`."
)
TRANSLATE_BODY_EMPTY: Final = (
    "The translation has no text: write the body after the title, e.g. `" + TRANSLATE_EXAMPLE + "`."
)
TRANSLATE_WORD_BEFORE_TITLE: Final = (
    '"{word}" comes before the title, where `translate` takes only `update-sent`. Write the body after '
    '`title:"…"`, e.g. `' + TRANSLATE_EXAMPLE + "`."
)
TRANSLATE_FLAG_AT_END: Final = (
    "The text ends with `{word}`, which would be sent as part of the body (everything after the title "
    "is), so I saved nothing. To update copies already delivered, put `update-sent` before the title: "
    '`translate {id} {language} update-sent title:"…" …`.'
)
TRANSLATE_DEFAULT_LANGUAGE: Final = (
    "`{language}` is the language of the default text (`PARTNERBOT_DEFAULT_LANGUAGE`): change that "
    'with `edit {id} title:"…" …`.'
)
VARIANT_DEFAULT_LANGUAGE: Final = (
    "`{language}` is the language of the default text (`PARTNERBOT_DEFAULT_LANGUAGE`): that text is the "
    "announcement's own title and body, not a variant."
)
VARIANT_TWICE: Final = "The text in `{language}` is given twice; give each language once."
TRANSLATION_ADDED: Final = "🌐 {language} text added to announcement #{id}: “{title}”."
TRANSLATION_REPLACED: Final = (
    "🌐 {language} text of announcement #{id} replaced (version {revision}): “{title}”."
)
# What happens to the copies read in that language, after the saved line.
TRANSLATION_NOT_SENT: Final = "Partners who read {language} will get it when the announcement goes out."
TRANSLATION_SENT_KEPT: Final = Plural(
    "{n} copy already delivered in {language} keeps the text it got; add `update-sent` "
    '(`translate {id} {tag} update-sent title:"…" …`) to update it in place.',
    "{n} copies already delivered in {language} keep the text they got; add `update-sent` "
    '(`translate {id} {tag} update-sent title:"…" …`) to update them in place.',
)
TRANSLATION_SENT_UPDATED: Final = (
    "{copies} already delivered in {language} will be updated in place, at the same pace as sending."
)
TRANSLATION_NEXT: Final = "Copies not delivered yet go out in {language}."
TRANSLATIONS_NONE: Final = (
    "Announcement #{id} has no translation: everyone gets the default text ({default}). "
    "Add one with `" + TRANSLATE_EXAMPLE + "`."
)
TRANSLATIONS_HEADER: Final = Plural(
    "**Announcement #{id}: {n} translation** (default text: {default})",
    "**Announcement #{id}: {n} translations** (default text: {default})",
)
TRANSLATIONS_LINE: Final = "• {language} (`{tag}`): “{title}” — {readers}"
TRANSLATIONS_DEFAULT_LINE: Final = "• default text ({default}): “{title}” — {readers}"
READ_BY: Final = Plural("read by {n} channel", "read by {n} channels")
# The preview: who reads which text, and who gets the default for want of a translation.
PREVIEW_LANGUAGES: Final = "**Languages:** {languages}"
PREVIEW_LANGUAGE_READS: Final = Plural("{n} partner reads {language}", "{n} partners read {language}")
PREVIEW_LANGUAGE_FALLBACK: Final = Plural(
    "{n} partner reads {language}; no {language} text yet, so they get the default ({default}).",
    "{n} partners read {language}; no {language} text yet, so they get the default ({default}).",
)
PREVIEW_LANGUAGE_HINT: Final = 'Add one with `translate {id} {tag} title:"<title>" <body>`.'
PREVIEW_LANGUAGE_DRAFT_HINT: Final = (
    "A machine draft is waiting for review: `translations {id}`, then `translate {id} {tag} accept`."
)
# Machine drafts (`translate <id> <lang> draft|accept`, the optional Translator port).
TRANSLATE_WORD_AFTER_ACTION: Final = (
    "Nothing goes after `{action}`: write `translate {id} {language} {action}` alone, or your own "
    'text with `translate {id} {language} title:"…" …`.'
)
TRANSLATOR_NOT_CONFIGURED: Final = (
    "No machine translator is set up, so I drafted nothing. An operator can set "
    "`PARTNERBOT_TRANSLATOR_URL` (a LibreTranslate-compatible server) and `PARTNERBOT_TRANSLATOR_KEY`; "
    'meanwhile write the text with `translate {id} {tag} title:"…" …`.'
)
TRANSLATOR_FAILED: Final = (
    "The machine translator could not translate announcement #{id} into {language} ({reason}), so I "
    'saved nothing. Try again later, or write the text with `translate {id} {tag} title:"…" …`.'
)
TRANSLATION_EXISTS: Final = (
    "Announcement #{id} already has {language} text (“{title}”), so I drafted nothing. Replace it "
    'with `translate {id} {tag} title:"…" …`.'
)
TRANSLATION_DRAFTED: Final = (
    "🤖 {language} machine draft of announcement #{id}: “{title}” — machine draft, review before it "
    "is sent. Partners who read {language} keep getting the default text until you accept it with "
    "`translate {id} {tag} accept`, or replace it with your own "
    '`translate {id} {tag} title:"…" …`.'
)
TRANSLATION_ACCEPTED: Final = (
    "✅ {language} text of announcement #{id} accepted: “{title}”. Copies not delivered yet go out in "
    "{language}."
)
TRANSLATION_ALREADY_ACCEPTED: Final = (
    "The {language} text of announcement #{id} is no machine draft: it is already sent as it is."
)
TRANSLATION_REMOVED: Final = (
    "🗑️ The {language} text of announcement #{id} is removed: its {language} readers get the default text "
    "from now on."
)
TRANSLATION_REMOVED_SENT: Final = (
    " Copies already delivered keep the {language} text they got; `edit {id}` changes every copy."
)
TRANSLATION_NOTHING_TO_REMOVE: Final = (
    "Announcement #{id} has no {language} text to remove. `translations {id}` lists its languages."
)
TRANSLATION_NO_DRAFT: Final = (
    "Announcement #{id} has no {language} text to accept. Draft one with `translate {id} {tag} draft`."
)
TRANSLATIONS_MACHINE_MARK: Final = " — 🤖 machine draft, review before it is sent (not sent)"
TRANSLATOR_TIMEOUT: Final = "no answer within {seconds:g} s (PARTNERBOT_TRANSLATOR_TIMEOUT)"
TRANSLATOR_HTTP_ERROR: Final = "the service answered HTTP {code}"
TRANSLATOR_UNREACHABLE: Final = "the service could not be reached"
TRANSLATOR_BAD_ANSWER: Final = "the service's answer could not be read"
# --- files attached to announcements (bot/attachments.py, bot/services/files.py) -----------------

FILES_HEADING: Final = Plural("📎 **{n} file attached:**", "📎 **{n} files attached:**")
FILE_LINE: Final = "• {name} — {size}, {type}"
FILE_IMAGE: Final = "image"
# The preview's image thumbnail (adapters/discord/preview.py, adapters/slack/thumbnails.py).
THUMBNAIL_TOO_LARGE: Final = "🖼️ No thumbnail: {name} is {size}, over {platform}'s {limit} per file."
THUMBNAIL_UNREADABLE: Final = "🖼️ No thumbnail: {name} can't be read from partnerbot's file store."
THUMBNAIL_NEEDS_PUBLIC_URL: Final = "🖼️ image preview needs PARTNERBOT_PUBLIC_URL"
PREVIEW_IMAGE_NOT_FOUND: Final = "This image link is not valid, or has expired."
FILE_PROBLEMS_HEADING: Final = "⛔ **Files a target platform can't take:**"
FILE_EMPTY: Final = "• {name} is empty (0 bytes): no platform takes an empty file."
FILE_TOO_LARGE: Final = "• {name} is {size}; {platform} takes at most {limit} per file."
FILE_TOO_MANY: Final = "• {count} files; {platform} takes at most {limit} in one message."
FILE_TOTAL_TOO_LARGE: Final = "• The files add up to {size}; {platform} takes at most {limit} per message."
FILE_UNREADABLE: Final = "• `attach:{name}` can't be read: {detail}"
FILE_LOCAL_ONLY: Final = (
    "• `attach:{name}` names a path on partnerbot's server, which only the console may read. Use "
    "“Broadcast to partners” on a message that carries the file instead."
)
FILES_NOT_SENDABLE: Final = (
    "This draft can't be sent with these files. `cancel {id}`, then broadcast again without them or "
    "with smaller ones."
)
FILES_REFUSED: Final = (
    "Announcement {id} can't be sent: its files don't fit every platform it targets.\n{problems}"
)
FILE_UNREADABLE_MISSING: Final = "there is no such file"
FILE_UNREADABLE_DIRECTORY: Final = "it is a folder, not a file"
FILE_UNREADABLE_DENIED: Final = "partnerbot may not read it"
FILE_UNREADABLE_TOO_LARGE: Final = "it is larger than the largest file any platform takes ({limit})"
FILE_NOT_UTF8: Final = "it is not UTF-8 text (save it as UTF-8)"  # --body-file, --variant
FILE_DOWNLOAD_FAILED: Final = (
    "{name} could not be downloaded from {platform} ({reason}), so no draft was made. Try again, or "
    "broadcast from a message without it."
)
DIGEST_FILE: Final = "📎 {name} ({size})"
FILES_OFF: Final = "this partnerbot keeps no files (no file store is configured)"

# --- recurring series and the calendar ------------------------------------------------------------
# `broadcast … every:"…"`, `series …` and `calendar` (bot/recurrence.py, bot/services/series.py,
# bot/presenter/series.py).

EVERY_FORMS: Final = (
    'Write `every:"<days> HH:MM"`, adding ` local` for each channel\'s own clock: the days are `day`, '
    "`weekdays`, a weekday (`monday`, or several: `monday,thursday`) or `1st`, `2nd`, `3rd`, `4th` or "
    '`last` and a weekday, e.g. `every:"monday 09:00 local"`, `every:"1st monday 10:00"`, '
    '`every:"day 08:30"`.'
)
EVERY_INVALID: Final = '"{value}" isn\'t a repeat rule. ' + EVERY_FORMS
EVERY_TIME_INVALID: Final = (
    '"{value}" in `every:"{every}"` isn\'t a time of day: use the 24-hour clock, HH:MM, e.g. '
    '`every:"monday 09:00"`.'
)
EVERY_UNKNOWN_DAY: Final = '"{word}" isn\'t a day of the week{did_you_mean}\n' + EVERY_FORMS
UNTIL_INVALID: Final = (
    '"{value}" isn\'t a date: write `until:"YYYY-MM-DD"`, the last day the series may fall on, e.g. '
    '`until:"2027-06-30"`.'
)
UNTIL_WITHOUT_EVERY: Final = (
    '`until:` ends a recurring series, so it goes with `every:"…"`, e.g. '
    '`every:"monday 09:00" until:"2027-06-30"`.'
)
EVERY_WITH_AT: Final = (
    "`every:` and `at:` don't go together: a series goes out at the time of its `every:` rule. "
    "Keep one of them."
)
EVERY_NO_FILES: Final = (
    "A recurring series can't carry files: leave out `attach:`, or send the files as a one-off broadcast."
)
UNTIL_BEFORE_FIRST: Final = (
    'With `until:"{until}"` the series would never go out: its first occurrence would be {first}. '
    "Pick a later date."
)
UNTIL_NOTHING_LEFT: Final = (
    'Nothing of series {id} is left: `until:"{until}"` has passed. `broadcast … every:"…"` starts a new one.'
)

DAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_SHORT: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NTH_WORDS: Final[Mapping[int, str]] = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
RULE_DAILY: Final = "every day at {time}"
RULE_WEEKDAYS: Final = "every weekday (Monday to Friday) at {time}"
RULE_WEEKLY: Final = "every {days} at {time}"
RULE_MONTHLY: Final = "on the {nth} {day} of every month at {time}"
RULE_AND: Final = " and "
RULE_LOCAL: Final = " on each channel's own clock"
RULE_ZONE: Final = " {zone}"
RULE_UNTIL: Final = ", until {until}"
OCCURRENCE_LOCAL: Final = "{day} {time} local"
OCCURRENCE_ZONED: Final = "{day} {time} {zone}"

SERIES_PREVIEW: Final = "**Draft series {id}: {title}**\nGoes out {rule}."
SERIES_REACH: Final = "Reaches now: {channels} of {partners} · topics: {topics} · {audience}"
SERIES_REACH_SAVED: Final = "audience `{name}`, resolved at each occurrence"
SERIES_URGENT: Final = "Urgent: quiet hours and digests don't hold it."
SERIES_NEXT: Final = Plural("Next occurrence: {list}", "Next {n} occurrences: {list}")
SERIES_HOW: Final = (
    "Each occurrence is drafted from this text at its time and sent like a scheduled announcement "
    "(quiet hours, digests). `series start {id}` starts it; `series end {id}` discards it."
)
SERIES_START_BUTTON: Final = "Start series"
SERIES_DISCARD_BUTTON: Final = "Discard"
SERIES_NONE: Final = (
    'No recurring series yet. `broadcast topic:<slug> every:"monday 09:00 local" title:"<title>" '
    "<body…>` creates one."
)
SERIES_HEADER: Final = Plural("**{n} series:**", "**{n} series:**")
SERIES_LINE: Final = "• **{id}** {title} — {rule} · {state} · next: {next}"
SERIES_LAST: Final = " · last: {day}, {note}"
SERIES_NO_NEXT: Final = "none"
SERIES_STATUS: Final[Mapping[str, str]] = {
    "draft": "draft (`series start {id}`)",
    "active": "active",
    "paused": "paused (`series resume {id}`)",
    "ended": "ended",
}
SERIES_STARTED: Final = "Series {id} “{title}” started: the first occurrence is {next}."
SERIES_PAUSED: Final = (
    "Series {id} “{title}” paused: nothing goes out until `series resume {id}`; occurrences while it "
    "is paused are skipped."
)
SERIES_RESUMED: Final = "Series {id} “{title}” resumed: the next occurrence is {next}."
SERIES_ENDED: Final = (
    "Series {id} “{title}” ended: no more occurrences. Announcements already drafted from it stay as "
    "they are (`scheduled` lists them)."
)
SERIES_DISCARDED: Final = "Draft series {id} “{title}” discarded: nothing went out."
NO_SUCH_SERIES: Final = "There's no series {id}. `series` lists them."
SERIES_NOT_ALLOWED: Final[Mapping[str, str]] = {
    "draft": "Series {id} is a draft, not started yet: `series start {id}` starts it.",
    "active": "Series {id} is already running: `series pause {id}` or `series end {id}` stop it.",
    "paused": "Series {id} is paused: `series resume {id}` starts it again, `series end {id}` ends it.",
    "ended": 'Series {id} has ended for good: `broadcast … every:"…"` starts a new one.',
}
SERIES_EDITED: Final = (
    "Series {id} “{title}” has its new text from the next occurrence on ({next}). Announcements "
    "already drafted from it keep theirs (`edit <id>` changes one)."
)
SERIES_EDIT_NOTHING: Final = (
    'Say what changes: `series edit <id> title:"<title>" <body…>`, or just a new body.'
)
SERIES_EDIT_ENDED: Final = "Series {id} has ended, so its text no longer matters."
SERIES_USAGE: Final = SERIES_USAGE_TEXT
SERIES_UNKNOWN_ACTION: Final = 'unknown `series` action "{word}"{did_you_mean}\nUsage: {usage}'
SERIES_ID: Final = "a series"
SERIES_OCCURRENCE_SENT: Final = "drafted as #{id}"
SERIES_OCCURRENCE_AWAITS: Final = "drafted as #{id}, waiting for approval (`approve {id}`)"
SERIES_OCCURRENCE_REFUSED: Final = "nothing went out: {reason}"
JOB_SERIES: Final = Plural("{n} occurrence drafted", "{n} occurrences drafted")

CALENDAR_WEEKS_INVALID: Final = (
    "Give the number of weeks as a whole number from 1 to {max} (you wrote {value}), e.g. `calendar 4`."
)
CALENDAR_HEADER: Final = (
    "**Calendar, {first} to {last}** — times in {zone}; “local” is each channel's own clock."
)
CALENDAR_DAY: Final = "**{day}**"
CALENDAR_SCHEDULED: Final = "• {time} — #{id} {title}"
CALENDAR_SERIES: Final = "• {time} — series {id} {title}{paused}"
CALENDAR_PAUSED: Final = " (paused)"
CALENDAR_GAP: Final = "_{first} to {last}: nothing planned_"
CALENDAR_GAP_DAY: Final = "_{day}: nothing planned_"
CALENDAR_SUMMARY: Final = Plural(
    "{planned} planned; {n} day with nothing planned.", "{planned} planned; {n} days with nothing planned."
)
CALENDAR_ITEMS: Final = Plural("{n} announcement", "{n} announcements")
CALENDAR_LOCAL: Final = "{time} local"
CLI_SERIES_NOT_FOUND: Final = "no series {id}"

# --- fatigue caps ------------------------------------------------------------------------------
# `settings cap`, the preview's and stats' capped counts (bot/caps.py, bot/presenter/caps.py).

CAP_INVALID: Final = P(
    '"{value}" isn\'t a weekly cap: give a number of normal announcements from {min} to {max}, e.g. '
    "`settings cap 3`, or `settings cap off`."
)
CAP_SHOW: Final = partner_plural("{n} normal announcement a week", "{n} normal announcements a week")
CAP_SHOW_DEFAULT: Final = partner_plural(
    "{n} normal announcement a week (vendor default)", "{n} normal announcements a week (vendor default)"
)
CAP_SHOW_NONE: Final = P("off")
CAP_SET: Final = partner_plural(
    "🧢 Saved: at most {n} normal announcement a week is posted here on its own; the others arrive "
    "together in a “You also missed” digest {when} ({timezone}). Urgent ones always arrive at once.",
    "🧢 Saved: at most {n} normal announcements a week are posted here on their own; the others arrive "
    "together in a “You also missed” digest {when} ({timezone}). Urgent ones always arrive at once.",
)
CAP_SET_DIGEST: Final = partner_plural(
    "🧢 Saved: a weekly cap of {n} normal announcement. This channel gets a {mode} digest, so normal "
    "announcements already arrive together; the cap counts once it is back on "
    "`settings mode immediate`.",
    "🧢 Saved: a weekly cap of {n} normal announcements. This channel gets a {mode} digest, so normal "
    "announcements already arrive together; the cap counts once it is back on "
    "`settings mode immediate`.",
)
CAP_OFF: Final = P(
    "No weekly cap for this channel: every announcement is posted when it is sent, whatever the "
    "vendor's default."
)
CAP_DEFAULT: Final = partner_plural(
    "This channel follows the vendor's weekly cap again: {n} normal announcement a week.",
    "This channel follows the vendor's weekly cap again: {n} normal announcements a week.",
)
CAP_DEFAULT_NONE: Final = P(
    "This channel follows the vendor's weekly cap again; there is none at the moment, so every "
    "announcement is posted when it is sent."
)
# The digest that carries an immediate channel's announcements over its cap.
DIGEST_MISSED: Final = P("You also missed")
# Preview lines: targeted channels already at their weekly cap, and what happens there.
CAP_OF: Final = "of {cap}"
CAP_FROM_TO: Final = "(from {low} to {high})"
WAIT_CAP_MISSED: Final = Plural(
    "🧢 {n} channel is at its weekly cap {caps}: it gets this in a “You also missed” digest at its "
    "digest time ({when}).",
    "🧢 {n} channels are at their weekly cap {caps}: they get this in a “You also missed” digest at "
    "their digest time ({when}).",
)
WAIT_CAP_DIGEST: Final = Plural(
    "🧢 {n} channel is at its weekly cap {caps}: it gets this in its next digest.",
    "🧢 {n} channels are at their weekly cap {caps}: they get this in their next digest.",
)
# `stats`, `stats <id>`: deliveries over a channel's cap (held for a digest instead).
STATS_CAPPED: Final = Plural(
    "• over a weekly cap: {n} copy, held for a digest", "• over weekly caps: {n} copies, held for digests"
)
# After a line of `stats` and `topics` (over-sending on a topic).
CAPPED_SUFFIX: Final = Plural(", {n} over a weekly cap", ", {n} over weekly caps")


# --- approval before send (bot/services/approvals.py, `approve`, `reject`, `topic require-approval`) --

APPROVE_BUTTON: Final = "Approve"
REQUEST_CHANGES_BUTTON: Final = "Request changes"
APPROVAL_REQUESTED: Final = (
    "✋ **Announcement #{id} “{title}” awaits approval** — {who} asked to send it. {why}\n"
    "Another admin can **Approve** it (then it goes out as it would have) or **Request changes** "
    "(`approve {id}` · `reject {id} <comment>`)."
)
APPROVAL_WHY_SETTING: Final = "Every announcement needs another admin's approval here."
APPROVAL_WHY_TOPICS: Final = Plural(
    "Its topic {topics} needs another admin's approval.",
    "Its topics {topics} need another admin's approval.",
)
EDIT_APPROVAL_REQUESTED: Final = (
    "✋ **An edit of announcement #{id} awaits approval** — {who} asked to change it to:\n"
    "> **{title}**\n{body}\n"
    "Another admin can **Approve** it (then the new text is applied) or **Request changes** "
    "(`approve {id}` · `reject {id} <comment>`). Until then the approved text stands."
)
APPROVED: Final = "✅ {who} approved announcement #{id} “{title}”."
EDIT_APPROVED: Final = "✅ {who} approved the edit of announcement #{id}."
CHANGES_REQUESTED: Final = (
    "✏️ {who} asked for changes to announcement #{id} “{title}”:\n> {comment}\n"
    "{author}: change it with `edit {id} …`, then `send {id}` asks again. Nothing went out."
)
EDIT_CHANGES_REQUESTED: Final = (
    "✏️ {who} asked for changes to the edit of announcement #{id}:\n> {comment}\n"
    "{author}: the announcement keeps its approved text; `edit {id} …` proposes another."
)
NOTHING_TO_APPROVE: Final = (
    "Nothing about announcement #{id} awaits approval: with approval on, `send {id}` asks for it."
)
OWN_APPROVAL: Final = (
    "You asked for announcement #{id} yourself, so another admin has to approve it: ask a colleague "
    "to press Approve or type `approve {id}`."
)
OWN_REJECTION: Final = (
    "You asked for announcement #{id} yourself: to change it, `edit {id} …`; to drop it, `cancel {id}`."
)
APPROVAL_STALE: Final = (
    "Announcement #{id} was edited after approval was asked, so that request no longer stands: "
    "`send {id}` asks again for the text as it is now."
)
APPROVAL_TAKEN: Final = "Someone else has just decided on announcement #{id}: nothing more to do."
APPROVAL_EDIT_AND_TIME: Final = (
    "Announcement #{id} needs approval for a new text, so change the time and the text one at a time: "
    '`reschedule {id} at:"…"`, then `edit {id} title:"…" …`.'
)
URGENT_BYPASS_NOTE: Final = (
    "Urgent, so it went out without approval (`PARTNERBOT_URGENT_NEEDS_APPROVAL=false`); "
    "the audit log records it."
)
HOW_TO_REJECT: Final = "Type `reject {id} <what should change>`: the comment goes to the author."
TOPIC_APPROVAL_ON: Final = (
    "Announcements about `{slug}` now need another admin's approval before they go out."
)
TOPIC_APPROVAL_OFF: Final = (
    "Announcements about `{slug}` no longer need approval for their topic "
    "(`PARTNERBOT_APPROVAL` still applies)."
)
TOPIC_APPROVAL_ALREADY_ON: Final = "Announcements about `{slug}` already need approval: nothing changed."
TOPIC_APPROVAL_ALREADY_OFF: Final = (
    "Announcements about `{slug}` didn't need approval for their topic: nothing changed."
)
# `stats <id>` and the dashboard's announcement page: the approval history, a line per request, oldest first.
APPROVAL_HISTORY: Final = "**Approval**"
APPROVAL_LINES: Final[Mapping[str, str]] = {
    "pending": "{when}: {who} asked to {what} — awaiting approval",
    "approved": "{when}: {who} asked to {what} — approved by {decider}",
    "changes_requested": "{when}: {who} asked to {what} — {decider} requested changes: “{comment}”",
    "void": "{when}: {who} asked to {what} — left behind by an edit or a newer request",
}
APPROVAL_WHAT: Final[Mapping[str, str]] = {"send": "send it", "edit": "change its text"}
# `partnerbot broadcast --send` when the announcement needs approval: the request, in the admin channel.
APPROVAL_NOTICE: Final = (
    "✋ **Announcement #{id} “{title}” awaits approval** — {who} asked to send it from the command "
    "line. Another admin: `approve {id}`, or `reject {id} <comment>`; `test {id}` posts a copy to read first."
)
CLI_AWAITS_APPROVAL: Final = (
    "Announcement #{id} awaits another admin's approval in the admin channel; it goes out when approved."
)
# The Request changes form (Slack modal, Discord modal).
REJECT_FORM_TITLE: Final = "Request changes"
REJECT_FORM_LABEL: Final = "What should change?"
REJECT_FORM_SUBMIT: Final = "Send to the author"


# --- answers that already exist (issue 18: bot/services/feedback.py, bot/presenter/feedback.py) ----
# The private offer a partner gets when their question resembles one the vendor already answered.
FAQ_OFFER_HEADER: Final = P(
    "💡 This may already be answered. Have a look before your question (#{id}) goes to the vendor team:"
)
# `{question}`: an FAQ's wording, or the partner's own earlier question; another partner's is never shown.
FAQ_OFFER_QUESTION: Final = "**{question}**\n{answer}"
FAQ_OFFER_ANSWER: Final = P("**Answered before:** {answer}")
FAQ_OFFER_WAIT: Final = partner_plural(
    "If you press neither button, your question goes to the team in {n} minute.",
    "If you press neither button, your question goes to the team in {n} minutes.",
)
FAQ_ANSWERED_BUTTON: Final = P("This answers it")
FAQ_ASK_BUTTON: Final = P("Ask the team anyway")
FAQ_SELF_SERVED: Final = P("👍 Glad that helped. Question #{id} is closed; it did not go to the team.")
FAQ_RELAYED: Final = P("📨 Your question (#{id}) went to the vendor team. The answer will appear here.")
FAQ_ALREADY_SELF_SERVED: Final = P("Question #{id} is already closed: an earlier answer answered it.")
FAQ_ALREADY_RELAYED: Final = P(
    "Question #{id} has already gone to the vendor team. The answer will appear here."
)
FAQ_OFFER_GONE: Final = P("This offer is no longer open, so nothing changed.")

# Admin side (plain English): `faq`, `faqs`, the "Mark as FAQ" button.
FAQ_NOT_AN_OPTION: Final = (
    '"{word}" isn\'t something `faq` takes. Use `faq {id}`, `faq {id} off`, or '
    '`faq {id} question:"…" answer:"…"` to set the wording partners see.'
)
FAQ_EMPTY: Final = '`{key}:` is empty. Put the wording in quotes, e.g. `faq {id} {key}:"…"`.'
FAQ_TOO_LONG: Final = "The FAQ's {key} is longer than {max} characters; please shorten it."
FAQ_MARKED: Final = (
    "📌 Question #{id} is an FAQ now: partners whose question resembles it are offered its answer first.\n"
    "**{question}**\n{answer}"
)
FAQ_UNMARKED: Final = (
    "Question #{id} is no longer an FAQ; its answer is still offered under its own announcement."
)
FAQ_ALREADY: Final = "Question #{id} is already an FAQ: nothing changed."
FAQ_ALREADY_OFF: Final = "Question #{id} isn't an FAQ: nothing changed."
FAQ_REWORDED: Final = "📌 FAQ #{id} now reads:\n**{question}**\n{answer}"
FAQ_NOT_ANSWERED: Final = (
    "Question #{id} has no answer yet, so it can't be an FAQ. Answer it first: `answer {id} <text>`."
)
NO_FAQS: Final = "No FAQs yet. `faq <question id>` makes an answered question one."
FAQ_TWICE: Final = "`{key}:` appears twice in `faq`; give it once."
FAQS_HEADER: Final = Plural("**{n} FAQ**, the most used first:", "**{n} FAQs**, the most used first:")
FAQ_LINE: Final = "• #{id} “{question}” — {served}"
FAQ_SERVED: Final = Plural("answered {n} question on its own", "answered {n} questions on its own")
MARK_FAQ_BUTTON: Final = "Mark as FAQ"
# `stats <id>` (and the weekly report): questions answered by an offered answer against relayed ones.
STATS_SELF_SERVED: Final = "• questions self-served {self_served} · relayed to the team {relayed}"
REPORT_SELF_SERVED: Final = (
    "Partner questions: {self_served} self-served by an answer that already existed, {relayed} to the team"
)
# The `score-snapshots` job (bot/jobs.py): score snapshots of completed days built this run.
JOB_SCORE_SNAPSHOTS: Final = Plural("{n} score snapshot built", "{n} score snapshots built")
# The `faq-vectors` job (bot/jobs.py): answered questions encoded for the embedding matcher this run.
JOB_VECTORS: Final = Plural("{n} answer encoded", "{n} answers encoded")
