exports.get=exports.put=async()=>1
