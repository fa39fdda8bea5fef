exports.list=exports.create=exports.admin=exports.health=exports.authorize=exports.webhook=exports.internal=async()=>({statusCode:200});
