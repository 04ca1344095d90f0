"""Plain-Python core of the harm-reduction assistant (no rasa_sdk imports here)."""
