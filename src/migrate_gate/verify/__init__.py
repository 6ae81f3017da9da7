"""`migrate-gate verify`: every migration's down must restore the schema its up changed."""
