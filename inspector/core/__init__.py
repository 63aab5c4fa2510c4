"""Qt-free core: API clients, validation, rate limiting, tailing and publishing."""
