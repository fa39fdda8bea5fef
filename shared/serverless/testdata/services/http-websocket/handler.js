exports.x=1
