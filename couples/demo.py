"""A demo couple with two months of everyday history, so that every page has something
to show: check-ins (most revealed, a few waiting, a few skipped), appreciations, bids and
love-language profiles. ``flask --app couples demo seed``."""

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from couples.accounts import services as accounts
from couples.accounts.models import User
from couples.appreciations.models import Appreciation
from couples.bids.models import Bid
from couples.checkins import bank, rules
from couples.checkins.models import Checkin, CheckinAnswer
from couples.checkins.services import schedule_of
from couples.db import begin_write
from couples.errors import Conflict
from couples.extensions import db
from couples.lovelanguages.content import EVERYDAY_PRESETS, LANGUAGES
from couples.lovelanguages.models import LoveProfile
from couples.pairing import services as pairing_services

DAYS = 60
EMAILS = ("maya.demo@example.com", "jonah.demo@example.com")

HELPS = [
    "An early night together.",
    "A walk after dinner.",
    "Ten minutes to talk before bed.",
    "A hand with the washing up.",
    "A message at lunchtime.",
    "Less phone at the table.",
    "A hug when I get home.",
    "Help planning the weekend.",
    None,
    None,
    None,
]
APPRECIATED = [
    "You made coffee before I woke up.",
    "You listened without fixing.",
    "You remembered my meeting and asked how it went.",
    "You made me laugh when I was cross.",
    "You took the bins out in the rain.",
    "The way you talked to my mum on the phone.",
    None,
    None,
]
SEEN = [
    "When you asked about my day and waited for the whole answer.",
    "When you noticed I was tired and ran the bath.",
    None,
    None,
    None,
]
MINDS = [
    "Money for the holiday.",
    "How often we see your family.",
    "Who does the school run.",
    "I felt a bit left out on Saturday.",
]
# Answers to the deeper question, written for the question asked (two voices each); the
# questions without one here are skipped, as people often do.
QUESTION_ANSWERS: dict[str, tuple[str, str]] = {
    "fears-01": ("Whether the boiler lasts the winter.", "The review at work on Thursday."),
    "fears-04": ("Go quiet and tidy something.", "Scroll on my phone, if I'm honest."),
    "fears-10": ("Just be nearby. No fixing.", "Hold my hand and make the calls with me."),
    "struggles-02": ("Worry about my mum's health.", "How tired I am by the end of the week."),
    "struggles-08": ("The commute.", "Too many late meetings."),
    "struggles-11": ("Company first, advice later.", "A bit of space, then a hug."),
    "hopes-03": ("A slow breakfast and a long walk.", "Papers, the market, nobody else."),
    "hopes-09": ("Saying no at work.", "Singing in front of people."),
    "needs-01": ("If you took the bins out.", "An early night, with no screens."),
    "needs-04": ("An hour a day to myself.", "One evening a week."),
    "needs-07": ("Rest.", "Fun. We've been so serious lately."),
    "needs-10": ("When you put your phone away.", "When you ask a second question."),
    "expectations-05": ("One day out, one day in.", "Friends on Saturday, just us on Sunday."),
    "expectations-11": ("A message at lunch is plenty.", "A quick call on the way home."),
    "childhood-06": ("Being good at school.", "Looking after my little brother."),
    "childhood-09": ("Sunday dinners with everyone.", "Reading out loud at bedtime."),
    "future-01": ("Somewhere near the sea.", "Near your sister, with a garden."),
    "future-04": ("The night train to Vienna.", "Learning to sail, badly."),
    "future-07": ("Talking about money without tension.", "Going to bed at the same time."),
    "future-10": ("Fewer screens, more cards.", "Cooking together twice a week."),
}
NOTES = [
    "Thank you for cooking on a night I was shattered.",
    "I loved our walk by the river. Let's do it again.",
    "You were so patient with me this morning. Thank you.",
    "The note in my bag made my whole day.",
    "Thank you for sorting the car; I know you hate that garage.",
    "You're a wonderful dad. I saw it today at the park.",
    "Thanks for holding my hand at the appointment.",
]
OWN_BIDS = ["Fancy a tea?", "Come and see the sunset.", "Can I tell you about my day?"]


@dataclass
class Demo:
    alex: User
    sam: User
    password: str
    checkins: int
    appreciations: int
    bids: int
    repairs: int = 0


def _answers(
    rng: random.Random, questions: list[dict], mood: float, *, question_key: str, who: int
) -> dict:
    """Plausible answers: scores near the person's mood of the week, some words, some
    skipped. ``who`` is 0 for Alex, 1 for Sam: their voice for the deeper question."""

    def voice(pair: tuple[str, str] | None) -> str | None:
        return pair[who] if pair else None

    def score(low: int, high: int) -> int:
        return max(low, min(high, round(mood * (high - low) / 4 + low + rng.uniform(-1, 1))))

    answers: dict = {}
    for q in questions:
        key = q["key"]
        if q["type"] == "scale":
            answers[key] = score(q["min"], q["max"])
        elif key == "needs_help":
            answers[key] = rng.choice(HELPS)
        elif key == "appreciation":
            answers[key] = rng.choice(APPRECIATED)
        elif key == "felt_seen":
            answers[key] = rng.choice(SEEN)
        elif key == "question_of_the_day":
            answers[key] = voice(QUESTION_ANSWERS.get(question_key))
        elif key == "love_languages_felt":
            answers[key] = sorted(rng.sample(LANGUAGES, rng.randint(0, 3)), key=LANGUAGES.index)
        elif key == "love_language_wish":
            answers[key] = rng.choice(LANGUAGES)
        elif key == "turned_toward":
            answers[key] = rng.choices(rules.TURNED_TOWARD, weights=(6, 3, 1))[0]
        elif key == "on_my_mind":
            answers[key] = rng.random() < 0.12
        elif key == "on_my_mind_text":
            answers[key] = rng.choice(MINDS) if answers.get("on_my_mind") else None
        elif q["type"] == "text":
            answers[key] = rng.choice(["A good week, mostly.", "More time outside.", None])
        else:
            answers[key] = None
    return answers


def _evening(day: date, tz: str, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def seed(*, now: datetime, seed_value: int = 2026) -> Demo:
    """Create the demo couple and its history up to ``now``. Refused (409) when the demo
    accounts exist already."""
    begin_write(db.session)
    if db.session.execute(db.select(User.id).where(User.email.in_(EMAILS))).first():
        raise Conflict("The demo couple exists already.")
    rng = random.Random(seed_value)
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    start = now - timedelta(days=DAYS + 2)
    alex = accounts.register(
        email=EMAILS[0], password=password, display_name="Maya", timezone="Europe/London"
    )
    sam = accounts.register(
        email=EMAILS[1], password=password, display_name="Jonah", timezone="America/New_York"
    )
    for user in (alex, sam):
        user.created_at = start
    db.session.commit()  # each service below begins a write of its own
    invite = pairing_services.create_invite(user=alex, now=start)
    pairing = pairing_services.accept_invite(user=sam, code=invite.code, now=start)
    couple = pairing.couple
    couple.created_at = start
    for member in couple.members:
        member.joined_at = start
    db.session.add_all(
        [
            LoveProfile(
                user_id=alex.id,
                ranking=["time", "words", "touch", "acts", "gifts"],
                source="quiz",
                updated_at=start,
            ),
            LoveProfile(
                user_id=sam.id,
                ranking=["acts", "touch", "time", "words", "gifts"],
                source="manual",
                updated_at=start,
            ),
        ]
    )
    schedule = schedule_of(couple)
    counts = {"checkins": 0, "appreciations": 0, "bids": 0}
    today = now.astimezone(ZoneInfo(alex.timezone)).date()
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        week_mood = 2.6 + 1.2 * ((day.toordinal() // 7) % 3) / 2  # some weeks are harder
        kind = rules.kind_for(day, schedule)
        answered = [u for u in (alex, sam) if rng.random() < 0.86]
        if kind and answered:
            question = bank.question_of_the_day(couple.id, day)
            questions = rules.questions_for(kind, question_of_the_day=question.prompt)
            first = _evening(day, answered[0].timezone, 21, rng.randint(0, 50))
            checkin = Checkin(
                couple_id=couple.id,
                day=day,
                kind=kind,
                questions=questions,
                question_key=question.key,
                created_at=first,
            )
            db.session.add(checkin)
            db.session.flush()
            for user in answered:
                at = _evening(day, user.timezone, 21, rng.randint(0, 55))
                db.session.add(
                    CheckinAnswer(
                        checkin_id=checkin.id,
                        user_id=user.id,
                        created_at=at,
                        updated_at=at,
                        answers=_answers(
                            rng,
                            questions,
                            week_mood + rng.uniform(-0.5, 0.5),
                            question_key=question.key,
                            who=0 if user is alex else 1,
                        ),
                    )
                )
            if len(answered) == 2:
                checkin.revealed_at = max(_evening(day, u.timezone, 21, 56) for u in answered)
            counts["checkins"] += 1
        if rng.random() < 0.45:
            sender, receiver = rng.choice([(alex, sam), (sam, alex)])
            db.session.add(
                Appreciation(
                    couple_id=couple.id,
                    from_user_id=sender.id,
                    to_user_id=receiver.id,
                    text=rng.choice(NOTES),
                    language=rng.choice([None, *LANGUAGES]),
                    created_at=_evening(day, sender.timezone, rng.randint(8, 20), 0),
                )
            )
            counts["appreciations"] += 1
        if rng.random() < 0.5:
            sender, receiver = rng.choice([(alex, sam), (sam, alex)])
            made = _evening(day, sender.timezone, rng.randint(9, 19), rng.randint(0, 59))
            preset = rng.choice([*EVERYDAY_PRESETS, None])
            response = rng.choices(["toward", "later", "away", None], weights=(6, 2, 1, 1))[0]
            db.session.add(
                Bid(
                    couple_id=couple.id,
                    from_user_id=sender.id,
                    to_user_id=receiver.id,
                    preset=preset,
                    text=None if preset else rng.choice(OWN_BIDS),
                    created_at=made,
                    response=response,
                    responded_at=made + timedelta(minutes=20) if response else None,
                    later_at=made + timedelta(hours=3) if response == "later" else None,
                )
            )
            counts["bids"] += 1
    _journal(random.Random(seed_value + 1), (alex, sam), today)
    _self_checks(alex, sam, now)
    _goals(alex, sam, now)
    _promises(random.Random(seed_value + 2), couple.id, (alex, sam), now)
    _together(couple.id, (alex, sam), now)
    db.session.commit()
    counts["repairs"] = _repairs(pairing_services.Pairing(couple=couple, me=alex, partner=sam), now)
    return Demo(alex=alex, sam=sam, password=password, **counts)


# Each person's own reflections, private to them: a few lines now and then.
JOURNAL = {
    "Maya": [
        "I got quiet when Jonah was late and told myself he didn't care. His train was stuck.",
        "Felt settled tonight. We cooked together and nobody checked a phone.",
        "I notice I test him instead of asking. Next time I'll just say I miss him.",
        "A tense day at work; I carried it home. A walk helped more than I expected.",
    ],
    "Jonah": [
        "When things get loud I want to leave the room. I stayed today, and it was fine.",
        "Told Maya one worry I'd been keeping. It was smaller once it was said.",
        "I pull back when I'm tired. Saying 'I need ten minutes' works better than vanishing.",
    ],
}
MEMORIES = {
    "Maya": "The first night we met, Jonah walked me home the long way so we could keep talking.",
    "Jonah": "Maya laughing so hard at the campsite that she dropped the torch in the lake.",
}


def _journal(rng: random.Random, people: tuple[User, User], today: date) -> None:
    """A few entries a week for each, on the day's prompt, and one good memory each."""
    from couples.grow.models import JournalEntry
    from couples.grow.prompts import PROMPTS, of_the_day

    for user in people:
        lines = JOURNAL[user.display_name]
        for back in range(DAYS, 0, -1):
            if rng.random() < 0.25:
                day = today - timedelta(days=back)
                db.session.add(
                    JournalEntry(
                        user_id=user.id,
                        prompt_key=of_the_day(day, user.id).key,
                        text=rng.choice(lines),
                        created_at=_evening(day, user.timezone, 22, rng.randint(0, 40)),
                    )
                )
        memory = next(p for p in PROMPTS if p.memory)
        day = today - timedelta(days=3)
        db.session.add(
            JournalEntry(
                user_id=user.id,
                prompt_key=memory.key,
                memory=True,
                text=MEMORIES[user.display_name],
                created_at=_evening(day, user.timezone, 22, 45),
            )
        )


def _self_checks(maya: User, jonah: User, now: datetime) -> None:
    """Maya leans anxious and shared it; Jonah leans avoidant and keeps it to himself."""
    from couples.grow.models import SelfCheck
    from couples.grow.selfcheck import STATEMENTS

    for user, lean, shared in ((maya, "anxious", True), (jonah, "avoidant", False)):
        answers = {s.key: 4 if s.lean == lean else 2 for s in STATEMENTS}
        db.session.add(
            SelfCheck(
                user_id=user.id,
                answers=answers,
                lean=lean,
                shared=shared,
                created_at=now - timedelta(days=10),
            )
        )


def _goals(maya: User, jonah: User, now: datetime) -> None:
    """A goal of each for this month: Maya's shared, Jonah's kept to himself."""
    from couples.grow.models import MonthGoal

    for user, goal, support, shared in (
        (maya, "Finish the first draft of my short story", "Ask me how it's going", True),
        (jonah, "Swim twice a week", None, False),
    ):
        month = now.astimezone(ZoneInfo(user.timezone)).date().replace(day=1)
        db.session.add(
            MonthGoal(
                user_id=user.id,
                month=month,
                goal=goal,
                support=support,
                shared=shared,
                updated_at=now,
            )
        )


PROMISES = {
    "Maya": [
        "I'll call you at lunch",
        "I'll book the table for Friday",
        "I'll be off my phone after nine",
        "I'll pick up your prescription",
    ],
    "Jonah": [
        "I'll plan Saturday morning",
        "I'll text when I leave work",
        "I'll cook dinner",
        "I'll ask about your story before bed",
    ],
}


def _promises(rng: random.Random, couple_id: int, people: tuple[User, User], now: datetime):
    """A small promise every few days for five weeks, most kept, both answering; Jonah's
    promise of yesterday waits for Maya's answer, and one of his is still to come."""
    from couples.grow.promises import ask_at
    from couples.repair.models import Commitment, FollowUp, FollowUpAnswer

    maya, jonah = people

    def promise(user: User, text: str, day: date, answers: list[tuple[User, str]]) -> None:
        asks = ask_at(day, user.timezone)
        follow_up = FollowUp(days=0, due_at=asks, notified_at=asks if asks <= now else None)
        for who, outcome in answers:
            follow_up.answers.append(
                FollowUpAnswer(
                    user_id=who.id, outcome=outcome, created_at=asks + timedelta(hours=2)
                )
            )
        if len(answers) == 2:
            follow_up.completed_at = asks + timedelta(hours=2)
        elif asks + timedelta(days=3) <= now:
            follow_up.completed_at = asks + timedelta(days=3)
        db.session.add(
            Commitment(
                couple_id=couple_id,
                written_by_id=user.id,
                owner_id=user.id,
                text=text,
                due_on=day,
                created_at=asks - timedelta(days=2),
                follow_ups=[follow_up],
            )
        )

    today = now.astimezone(ZoneInfo(maya.timezone)).date()
    for back in range(35, 1, -4):
        user = rng.choice(people)
        outcome = rng.choices(["kept", "partly", "not"], weights=(7, 2, 1))[0]
        answers = [(maya, outcome), (jonah, outcome)] if rng.random() < 0.8 else [(user, outcome)]
        promise(
            user, rng.choice(PROMISES[user.display_name]), today - timedelta(days=back), answers
        )
    promise(jonah, "I'll plan Saturday morning", today - timedelta(days=1), [(jonah, "kept")])
    promise(jonah, "I'll cook dinner", today + timedelta(days=1), [])


def _together(couple_id: int, people: tuple[User, User], now: datetime) -> None:
    """Two ideas on their list; plans of the last weeks said yes to, one of Maya's to
    come, and one of Jonah's waiting for Maya's answer."""
    from couples.grow.models import TogetherIdea, TogetherPlan
    from couples.grow.together import starts_at

    maya, jonah = people
    for user, text, back in ((maya, "A pottery class", 20), (jonah, "The Sunday market", 9)):
        db.session.add(
            TogetherIdea(
                couple_id=couple_id,
                added_by_id=user.id,
                text=text,
                created_at=now - timedelta(days=back),
            )
        )
    today = now.astimezone(ZoneInfo(maya.timezone)).date()
    for by, text, days, hour, answer in (
        (jonah, "Dinner at the little Greek place", -16, 19, "yes"),
        (maya, "A long walk, phones at home", -5, 10, "yes"),
        (maya, "Old photos and a bottle of wine", 2, 20, "yes"),
        (jonah, "The Sunday market", 4, 11, None),
    ):
        when = starts_at(today + timedelta(days=days), time(hour), by.timezone)
        other = jonah if by is maya else maya
        made = min(now, when) - timedelta(days=2)
        db.session.add(
            TogetherPlan(
                couple_id=couple_id,
                proposed_by_id=by.id,
                text=text,
                starts_at=when,
                answer=answer,
                answered_by_id=other.id if answer else None,
                answered_at=made + timedelta(hours=3) if answer else None,
                reminded_at=when - timedelta(hours=2) if when < now else None,
                created_at=made,
            )
        )


def _repairs(maya: pairing_services.Pairing, now: datetime) -> int:
    """A repair of trust begun five weeks ago, with questions and weekly check-ins; one
    repair walked all the way through three weeks ago; and one under way: Maya has shared
    what hurt, and Jonah has said back what he heard."""
    from couples.repair import services as repairs

    jonah = pairing_services.Pairing(couple=maya.couple, me=maya.partner, partner=maya.me)
    _trust_repair(maya, jonah, now)
    at = now - timedelta(days=21)
    repair = repairs.open_repair(
        pairing=jonah, title="The missed school play", role="apologizing", now=at
    )

    def step(who, name, body, minutes):
        repairs.act(
            pairing=who, repair=repair, step=name, body=body, now=at + timedelta(minutes=minutes)
        )

    step(jonah, "ready", {}, 5)
    step(maya, "ready", {"view": "hurt"}, 30)
    step(
        maya,
        "hearing",
        {
            "feelings": ["let down", "lonely"],
            "i_feel": "let down and lonely",
            "when": "you stayed late at work on the night of the school play",
            "because": "I had told you how much it meant to her, and to me",
            "i_need": "to know that our plans come before work when we've made them",
            "need_now": "talk",
        },
        45,
    )
    # Jonah says back what he heard; Maya adds what he missed, and the second time it is it.
    step(
        jonah,
        "reflect",
        {"what_i_heard": "You were on your own at the play, and you felt let down by me."},
        55,
    )
    step(
        maya,
        "reflect",
        {
            "thats_it": False,
            "missed": "That I had told you how much it meant to her. It wasn't a surprise.",
        },
        60,
    )
    step(
        jonah,
        "reflect",
        {
            "what_i_heard": "You sat there alone and let down, and it hurt more because you "
            "had told me how much the play meant to her and to you, and I still stayed.",
        },
        64,
    )
    step(maya, "reflect", {"thats_it": True}, 67)
    step(
        jonah,
        "apology",
        {
            "acknowledgement": "I'm sorry I stayed at work and missed the play.",
            "empathy": "You were let down, and you sat there on your own.",
            "restitution": "You and she matter more than any deadline. I didn't say no to my "
            "manager, and I will from now on. What do you need from me?",
        },
        70,
    )
    step(maya, "response", {"heard": True, "forgive": True}, 90)
    step(
        maya,
        "plan",
        {"my_part": "I didn't remind you that morning, and then I went quiet.", "commitments": []},
        100,
    )
    step(
        jonah,
        "plan",
        {
            "my_part": "I let work decide for me.",
            "commitments": [
                {
                    "text": "Next time we have family plans, I will put them in my work calendar "
                    "and leave on time.",
                    "owner": "me",
                }
            ],
        },
        110,
    )
    step(jonah, "reconnect", {"choice": "A slow breakfast together on Saturday."}, 115)
    step(maya, "reconnect", {"confirmed": True}, 120)
    for follow_up in [f for c in repair.commitments for f in c.follow_ups]:
        for who, outcome in ((maya, "kept"), (jonah, "kept")):
            repairs.answer_follow_up(
                pairing=who,
                repair=repair,
                follow_up_id=follow_up.public_id,
                body={"outcome": outcome},
                now=follow_up.due_at + timedelta(hours=2),
            )
    at = now - timedelta(hours=3)
    repair = repairs.open_repair(
        pairing=maya, title="Sunday's argument about money", role="hurt", now=at
    )
    step(maya, "ready", {}, 2)
    step(jonah, "ready", {"view": "apologizing"}, 20)
    step(
        maya,
        "hearing",
        {
            "feelings": ["dismissed", "anxious"],
            "i_feel": "dismissed",
            "when": "I brought up the holiday budget and you changed the subject",
            "because": "money worries keep me awake",
            "i_need": "ten calm minutes to plan it together",
            "need_now": "reassurance",
        },
        40,
    )
    step(
        jonah,
        "reflect",
        {
            "what_i_heard": "When you raised the holiday budget I moved on to something else, "
            "and you felt brushed off about a worry that keeps you up at night.",
        },
        70,
    )
    return 3


def _trust_repair(maya: pairing_services.Pairing, jonah: pairing_services.Pairing, now):
    """Jonah hid messages from an old flame; Maya found them. Five weeks in: the plan is
    made, Maya has asked three questions (two answered) and said each week how safe it
    feels."""
    from couples.repair import services as repairs
    from couples.repair import trust

    at = now - timedelta(days=35)
    repair = repairs.open_repair(
        pairing=maya, title="The messages", role="hurt", kind="trust", now=at
    )

    def step(who, name, body, minutes):
        repairs.act(
            pairing=who, repair=repair, step=name, body=body, now=at + timedelta(minutes=minutes)
        )

    step(maya, "ready", {}, 1)
    step(jonah, "ready", {"view": "apologizing"}, 60)
    step(
        maya,
        "hearing",
        {
            "feelings": ["betrayed", "hurt", "anxious"],
            "i_feel": "betrayed and shaken",
            "when": "I found the messages you had been hiding for months",
            "because": "I had asked you directly and you said there was nothing",
            "i_need": "honest answers, for as long as I need them",
            "need_now": "space",
        },
        90,
    )
    step(
        jonah,
        "reflect",
        {
            "what_i_heard": "You feel betrayed, and the hiding hurt as much as the messages, "
            "because you asked me straight and I lied. You need honest answers for as long "
            "as it takes."
        },
        24 * 60,
    )
    step(maya, "reflect", {"thats_it": True}, 25 * 60)
    step(
        jonah,
        "apology",
        {
            "acknowledgement": "I'm sorry I kept those messages from you and lied when you asked.",
            "empathy": "You feel betrayed and shaken, and unsure what else to believe.",
            "restitution": "You deserve the truth. I've ended the contact and I'll answer "
            "anything you ask. What do you need from me this week?",
        },
        26 * 60,
    )
    step(maya, "response", {"heard": True}, 2 * 24 * 60)
    step(
        maya,
        "plan",
        {"my_part": "I'll say when I'm not ready to talk.", "commitments": []},
        3 * 24 * 60,
    )
    step(
        jonah,
        "plan",
        {
            "my_part": "I hid things instead of facing them.",
            "commitments": [
                {
                    "text": "Next time someone from my past gets in touch, I will tell you "
                    "that day.",
                    "owner": "me",
                }
            ],
        },
        3 * 24 * 60 + 30,
    )
    step(jonah, "reconnect", {"choice": "A walk by the river on Sunday, phones at home."}, 4500)
    step(maya, "reconnect", {"confirmed": True}, 4560)
    # The first follow-up answered by both; the second, so far, by Jonah.
    first, second = sorted(
        (f for c in repair.commitments for f in c.follow_ups), key=lambda f: f.due_at
    )
    for who, follow_up in ((maya, first), (jonah, first), (jonah, second)):
        repairs.answer_follow_up(
            pairing=who,
            repair=repair,
            follow_up_id=follow_up.public_id,
            body={"outcome": "kept"},
            now=follow_up.due_at + timedelta(hours=2),
        )
    questions = (
        ("When did it start?", "Last spring, a few weeks after my birthday.", 4),
        ("Did you meet up?", "Once, for coffee, in May. Nothing else happened.", 9),
        ("Why didn't you tell me when I asked?", None, 30),
    )
    for text, answer, days in questions:
        row = trust.ask(pairing=maya, repair=repair, question=text, now=at + timedelta(days=days))
        if answer:
            trust.answer(
                pairing=jonah,
                repair=repair,
                question_id=row.public_id,
                text=answer,
                now=at + timedelta(days=days, hours=5),
            )
    trust.plan_checks(pairing=maya, repair=repair, weeks=8, now=at + timedelta(days=3))
    for week, (score, note) in enumerate(
        ((1, "Everything still hurts."), (2, None), (2, "The answers help."), (3, None)),
        start=1,
    ):
        check = repair.trust_checks[week - 1]
        if check.due_at <= now:
            trust.answer_check(
                pairing=maya,
                repair=repair,
                week=week,
                score=score,
                note=note,
                now=check.due_at + timedelta(hours=3),
            )
