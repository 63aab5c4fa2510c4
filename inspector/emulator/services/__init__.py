"""The services the emulator speaks, one module each. A module gives ``INDEX`` (its entry in the index at ``/``)
and ``mounts(context)``: its ``ServiceMount``s (its endpoints, with the access rule and error shape of each), which
``inspector.emulator.app`` puts in the app. Service modules do not import one another."""
