"""The storyboard department: each shot's keyframe, from the image model the router picks."""
