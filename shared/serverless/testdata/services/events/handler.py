def queue(e,c): pass
