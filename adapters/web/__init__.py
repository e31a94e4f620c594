"""The web dashboard (issue 15): an aiohttp sub-application served at /dashboard/ by `partnerbot run`
(next to the Slack adapter's routes, or on its own server) and by `partnerbot dashboard`."""
