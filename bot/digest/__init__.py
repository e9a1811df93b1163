"""Briefings that come to people: digests on a schedule and alerts on a topic, posted by the
adapters' posters and remembered in the database (:mod:`bot.state`)::

    schedule       day rules, local times, time zones (APScheduler's cron trigger)
    requests       what a person typed after /digest, as a typed request
    subscriptions  add, list, stop; capped per place
    compose        what is new to a place, grouped by topic
    scheduler      the delivery loop: exactly once across processes
    service        the /digest command for every adapter
"""
