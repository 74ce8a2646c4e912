-- a ticket is listed before it is sold

select s.sale_id, l.list_time, s.sale_time
from {{ ref('stg_tickit__sales') }} as s
    join {{ ref('stg_tickit__listings') }} as l on l.list_id = s.list_id
where s.sale_time <= l.list_time
