"""The per-conversation rate limit and the length cap's crisis excerpt."""

from bot.limits import RateLimiter, crisis_excerpt


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_burst_then_the_steady_rate():
    clock = Clock()
    limiter = RateLimiter(per_minute=20, burst=3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # others are not held up
    clock.now = 3.0  # 20 a minute: one more every 3 seconds
    assert limiter.allow("a") and not limiter.allow("a")


def test_the_crisis_sentence_is_kept_from_a_long_message():
    story = "We were at a party and things got messy. " * 100
    text = story + "Now my friend is not breathing and his lips are blue. What do I do?"
    excerpt = crisis_excerpt(text, "not breathing", 2000)
    assert excerpt == "Now my friend is not breathing and his lips are blue."
    assert crisis_excerpt("x" * 5000, None, 2000) == "x" * 2000
