-- a sale is made by the listing's seller, for the listing's event, and never sells more
-- tickets than the listing offered

select s.sale_id
from {{ ref('stg_tickit__sales') }} as s
    join {{ ref('stg_tickit__listings') }} as l on l.list_id = s.list_id
where s.seller_id <> l.seller_id
    or s.event_id <> l.event_id
    or s.qty_sold > l.num_tickets
